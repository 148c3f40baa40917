// The redirect to LinkAja on awkward pages: a <base target>, DOKU parameters that shadow form methods,
// a browser that refuses to submit, and an element removed while its payment is being created.
import { expect, oneEvent } from '@open-wc/testing';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import { BFF, buttonOf, eventWithin, type FetchCall, mount, pendingKeys, sleep, throughFetch } from './helpers.ts';

afterEach(() => sessionStorage.clear());

/** The merchant page in a frame (frame.html), so a real submission can leave it. */
async function framedShop(query = '') {
  const frame = document.createElement('iframe');
  // No popups: a form sent to a new window would hide the test page and stall the tests after it.
  frame.sandbox.value = 'allow-scripts allow-same-origin allow-forms';
  frame.src = `/test/widget/frame.html?bff=${encodeURIComponent(BFF)}${query}`;
  document.body.append(frame);
  await oneEvent(frame, 'load');
  const win = frame.contentWindow as Window & typeof globalThis;
  await win.customElements.whenDefined('linkaja-pay');
  const el = win.document.querySelector('linkaja-pay') as LinkajaPay;
  await el.updateComplete;
  return { frame, win, el };
}

/** Clicks pay and resolves once the frame has gone to the simulator's LinkAja page (cross-origin). */
async function payAndLeave(frame: HTMLIFrameElement, el: LinkajaPay): Promise<void> {
  const left = eventWithin(frame, 'load', 5000);
  buttonOf(el).click();
  await left;
  expect(() => frame.contentWindow!.location.href).to.throw();
}

describe('<linkaja-pay> redirect', () => {
  it('goes to LinkAja in this page even when the page has <base target="_blank">', async () => {
    const { frame, el } = await framedShop('&base=_blank');
    await payAndLeave(frame, el);
    frame.remove();
  });

  it('submits a redirect whose parameters are named submit and target', async () => {
    const { frame, win, el } = await framedShop();
    // DOKU decides the parameter names; inputs named like form methods must not break the form.
    const withAwkwardNames = async (c: FetchCall) => {
      const res = await c.send();
      if (c.method !== 'POST' || c.url !== `${BFF}/api/payments` || res.status !== 201) return res;
      const body = await res.json();
      body.redirect.parameters.push({ name: 'submit', value: 'Bayar' }, { name: 'target', value: '_blank' });
      return new Response(JSON.stringify(body), { status: 201, headers: { 'Content-Type': 'application/json' } });
    };
    await throughFetch(withAwkwardNames, () => payAndLeave(frame, el), win);
    frame.remove();
  });

  it('goes back to idle with an error, and forgets the payment, when the browser will not submit', async () => {
    const { frame, win, el } = await framedShop();
    const proto = win.HTMLFormElement.prototype;
    const realSubmit = proto.submit;
    proto.submit = () => {
      throw new win.DOMException('Form submission blocked', 'SecurityError');
    };
    try {
      const error = eventWithin<{ code: string; message: string }>(el, 'linkaja-pay:error', 5000);
      buttonOf(el).click();
      expect((await error).detail.message).to.contain('Form submission blocked');
      await el.updateComplete;
      expect(buttonOf(el).getAttribute('aria-busy')).to.equal('false');
      expect(Object.keys(win.sessionStorage).filter((k) => k.startsWith('linkaja-pay:'))).to.deep.equal([]);
      expect(win.document.querySelectorAll('form').length, 'forms left in the page').to.equal(0);
    } finally {
      proto.submit = realSubmit;
      frame.remove();
    }
  });

  it('does nothing more when removed while its payment is being created', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu' });
    const seen: string[] = [];
    for (const name of ['created', 'redirect', 'error']) {
      el.addEventListener(`linkaja-pay:${name}`, (e) => (e.preventDefault(), seen.push(name)));
    }
    let answered: Promise<Response> | undefined;
    await throughFetch(
      (c) => (c.method === 'POST' ? (answered = c.send()) : c.send()),
      async () => {
        buttonOf(el).click();
        el.remove(); // the page moved on (a framework re-render, a closed dialog)
        await answered;
        await sleep(100);
      },
    );
    expect(answered, 'the payment was asked for').to.exist;
    expect(seen).to.deep.equal([]);
    expect(pendingKeys()).to.deep.equal([]);
    expect(document.querySelectorAll('form').length).to.equal(0);
    // Put back, it is an idle button again.
    document.body.append(el);
    await el.updateComplete;
    expect(buttonOf(el).getAttribute('aria-busy')).to.equal('false');
    el.remove();
  });
});
