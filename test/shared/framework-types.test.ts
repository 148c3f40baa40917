// The declarations shipped for frameworks (scripts/build-types.mjs: JSX for React 19, Preact and Solid;
// a Vue 3 GlobalComponents declaration), generated from the element's manifest as `npm run build` does,
// then compiled with the consumers in test/types (React, Preact, Solid pages, Vue props): the element's
// attributes, its ref and its typed events. Each consumer has @ts-expect-error lines for mistakes the types
// must catch, so declarations that typed everything as `any` fail too. The element's own types come
// from its source ('linkaja-pay' mapped to widget/index.ts), as the package will ship them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, stdio: 'pipe', encoding: 'utf8' });
let dir: string;

before(() => {
  // Inside the project, so the declarations' `declare module 'react'` (and the others) resolve as in an app.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(root, 'node_modules', '.cache', 'linkaja-pay-types-'));
  node([
    join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js'),
    'analyze',
    '--quiet',
    '--outdir',
    relative(root, dir),
  ]);
  node([join(root, 'scripts/build-types.mjs'), join(dir, 'custom-elements.json'), join(dir, 'types')]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('declarations for frameworks', () => {
  it('are written where the package ships them: types/jsx and types/vue', () => {
    const jsx = readFileSync(join(dir, 'types/jsx/index.d.ts'), 'utf8');
    for (const framework of ['react', 'preact', 'solid-js'])
      assert.ok(jsx.includes(`declare module "${framework}"`), `JSX types for ${framework}`);
    const vue = readFileSync(join(dir, 'types/vue/index.d.ts'), 'utf8');
    assert.match(vue, /interface GlobalComponents \{\s+'linkaja-pay': DefineComponent<LinkajaPayVueProps>;/);
    assert.match(vue, /'onLinkajaPay:success'\?: \(event: LinkajaPayEvent<'linkaja-pay:success'>\) => void;/);
  });

  it('compile with React 19, Preact, Solid and Vue 3 consumers, and catch their mistakes', { timeout: 60_000 }, () => {
    const consumers = readdirSync(join(root, 'test/types')).map((f) => join(root, 'test/types', f));
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          jsx: 'react-jsx',
          jsxImportSource: 'react',
          noEmit: true,
          // The generated declarations are .d.ts files: checked only without skipLibCheck.
          skipLibCheck: false,
          allowImportingTsExtensions: true,
          useDefineForClassFields: false,
          types: [],
          paths: { 'linkaja-pay': [join(root, 'widget/index.ts')] },
        },
        files: [...consumers, join(dir, 'types/jsx/index.d.ts'), join(dir, 'types/vue/index.d.ts')],
      }),
    );
    try {
      node([join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig]);
    } catch (e) {
      assert.fail(`tsc found errors:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
    }
  });
});
