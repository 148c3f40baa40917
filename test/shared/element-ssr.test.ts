// <linkaja-pay> imported on a server (Node, no DOM), as Next.js and other SSR frameworks import a page's
// modules: no throw, a definition in the server's registry (Lit's own shim, under Node's export
// condition), and an element that can be built and rendered the way Lit SSR does it (constructor,
// properties, willUpdate, ReactiveElement's update for reflected attributes, render) without a browser API.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReactiveElement, type TemplateResult } from 'lit';
import { isTemplateResult } from 'lit/directive-helpers.js';

/** A template result as text: the markup with its values in place (enough to read what would be sent). */
const text = (value: unknown): string =>
  isTemplateResult(value)
    ? (value as TemplateResult).strings.reduce(
        (out, s, i) => out + s + (i < value.values.length ? text(value.values[i]) : ''),
        '',
      )
    : String(value);

describe('<linkaja-pay> on a server', () => {
  it('imports without a DOM and defines the element once', async () => {
    for (const name of ['window', 'document', 'location', 'sessionStorage', 'HTMLElement'])
      assert.equal(name in globalThis, false, `this process has no ${name} (the test needs a DOM-less Node)`);
    const { LinkajaPay } = await import('../../widget/index.ts');
    assert.equal(customElements.get('linkaja-pay'), LinkajaPay);
    // The script included twice: the module runs again and defines nothing twice.
    await import(new URL('../../widget/index.ts?again', import.meta.url).href);
    assert.equal(customElements.get('linkaja-pay'), LinkajaPay);
    for (const name of ['window', 'document', 'location', 'sessionStorage', 'HTMLElement'])
      assert.equal(name in globalThis, false, `importing the element defined a global ${name}`);
  });

  it('builds and renders as Lit SSR does, touching no browser API', async () => {
    const { LinkajaPay } = await import('../../widget/index.ts');
    const el = new LinkajaPay();
    Object.assign(el, { bff: 'https://pay.example', sku: 'kopi-susu', locale: 'en' });
    (el as unknown as { willUpdate(changed: Map<string, unknown>): void }).willUpdate(new Map());
    (ReactiveElement.prototype as unknown as { update(this: ReactiveElement): void }).update.call(el);
    assert.equal(el.getAttribute('locale'), 'en', 'the reflected attribute');
    const html = text(el.render());
    assert.match(html, /<button\s+part="button"\s+type="button"/);
    assert.match(html, /Pay with LinkAja/);
    assert.match(html, /<div role="status">/);
  });
});
