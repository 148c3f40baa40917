// The BUILT bundle, served by the BFF's widget route, on a merchant page with a strict CSP
// (script-src 'self' <bff>; style-src 'self'): no eval, no inline script or style attribute needed.
import { expect } from '@open-wc/testing';

describe('<linkaja-pay> on a strict-CSP page', () => {
  it('renders from the BFF-served bundles (with their SRI hashes) with no CSP violation, even when both are included', async () => {
    // Without dist/sri.json the page would carry integrity="undefined", which browsers ignore: no SRI tested.
    const served = await fetch('/strict-csp.html');
    const page = await served.text();
    expect(served.status, page).to.equal(200);
    expect(page.match(/ integrity="sha384-[A-Za-z0-9+/]+={0,2}"/g), 'an SRI hash on both script tags').to.have.length(
      2,
    );
    const frame = document.createElement('iframe');
    const report = new Promise<{
      violations: string[];
      errors: string[];
      styled: number;
      text: string;
      background: string;
      defined: boolean;
    }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the strict page reported nothing within 8 s (is dist/ built?)')),
        8000,
      );
      addEventListener('message', function on(e) {
        if (e.source !== frame.contentWindow || !e.data?.csp) return;
        clearTimeout(timer);
        removeEventListener('message', on);
        resolve(e.data.csp);
      });
    });
    frame.src = '/strict-csp.html';
    document.body.append(frame);
    const r = await report;
    frame.remove();
    expect(r.violations).to.deep.equal([]);
    expect(r.errors).to.deep.equal([]);
    expect(r.styled, 'elements with a style attribute').to.equal(0);
    expect(r.text).to.equal('Pay with LinkAja');
    expect(r.background).to.equal('rgb(232, 33, 39)');
  });
});
