// The element's public contract (DESIGN.md), as the custom elements manifest reads it from the
// element's code and JSDoc: attributes, events, parts and CSS properties. The README's tables must
// name every event and custom property, so the documentation cannot drift from the element.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

interface Named {
  name: string;
  description?: string;
}
interface Declaration {
  name: string;
  tagName?: string;
  attributes?: Named[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let element: Declaration;
let packageJsonBefore: string;

before(() => {
  // The analyzer joins --outdir to the working directory, so it is given relative to the project.
  dir = mkdtempSync(join(tmpdir(), 'linkaja-cem-'));
  packageJsonBefore = readFileSync(join(root, 'package.json'), 'utf8');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js'),
      'analyze',
      '--quiet',
      '--outdir',
      relative(root, dir),
    ],
    { cwd: root, stdio: 'pipe' },
  );
  const manifest = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8')) as {
    modules: { declarations?: Declaration[] }[];
  };
  element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'linkaja-pay')!;
});
after(() => rmSync(dir, { recursive: true, force: true }));

const names = (xs: Named[] | undefined) => (xs ?? []).map((x) => x.name).sort();

describe('<linkaja-pay> public contract', () => {
  it('is defined as linkaja-pay with the attributes DESIGN.md names', () => {
    assert.ok(element, 'the manifest has a linkaja-pay element');
    assert.deepEqual(names(element.attributes), [
      'bff',
      'customer-email',
      'customer-name',
      'customer-phone',
      'items',
      'label',
      'locale',
      'order-token',
      'quantity',
      'result',
      'sku',
    ]);
  });
  it('documents the six events, the three parts and its custom properties', () => {
    assert.deepEqual(
      names(element.events),
      ['created', 'error', 'failure', 'redirect', 'status', 'success'].map((e) => `linkaja-pay:${e}`).sort(),
    );
    assert.deepEqual(names(element.cssParts), ['button', 'message', 'status']);
    const props = names(element.cssProperties);
    assert.ok(props.length >= 5 && props.every((p) => p.startsWith('--linkaja-pay-')), props.join(' '));
    for (const x of [...element.events!, ...element.cssParts!, ...element.cssProperties!])
      assert.ok(x.description, `${x.name} has a description`);
  });
  it('analysing leaves package.json alone; it points editors at the built manifest', () => {
    const pkg = readFileSync(join(root, 'package.json'), 'utf8');
    assert.equal(pkg, packageJsonBefore, 'cem analyze rewrote package.json (set packagejson: false in its config)');
    assert.equal((JSON.parse(pkg) as { customElements?: string }).customElements, 'dist/custom-elements.json');
  });
  it('the README names every event and custom property', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const x of [
      ...element.events!,
      ...element.cssProperties!,
      ...element.cssParts!.map((p) => ({ name: `::part(${p.name})` })),
    ]) {
      assert.ok(readme.includes(x.name), `README mentions ${x.name}`);
    }
  });
});
