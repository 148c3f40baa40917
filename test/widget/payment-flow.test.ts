// The whole payment path of <linkaja-pay> against the real BFF and its DOKU simulator:
// click -> create -> redirect form, then the return through server-sent events and through polling.
import { expect, oneEvent } from '@open-wc/testing';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import {
  BFF,
  buttonOf,
  decide,
  type FetchCall,
  eventWithin,
  isStatusRead,
  messageOf,
  mount,
  partText,
  payUntilRedirect,
  pendingKeys,
  signOrderToken,
  throughFetch,
  withoutEventSource,
} from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };

afterEach(() => sessionStorage.clear());

/** Which ways the page asked the BFF about an invoice: the event stream and/or the JSON status route. */
function transportsUsed(invoice: string) {
  const path = `${BFF}/api/payments/${encodeURIComponent(invoice)}`;
  const names = performance.getEntriesByType('resource').map((e) => e.name);
  return { sse: names.some((n) => n.startsWith(`${path}/events?`)), polling: names.includes(path) };
}

describe('<linkaja-pay> pay', () => {
  it('creates the payment, remembers it, and hands over the exact redirect form', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu', quantity: '2' });
    const requests: string[] = [];
    el.addEventListener('linkaja-pay:created', () => requests.push('created'));
    el.addEventListener('linkaja-pay:redirect', (e) => e.preventDefault()); // any second payment stays here too
    let creates = 0;
    const { created, redirect } = await throughFetch(
      (c) => {
        if (c.method === 'POST' && c.url === `${BFF}/api/payments`) creates++;
        return c.send();
      },
      async () => {
        const redirectSeen = payUntilRedirect(el);
        // Busy at once, and a second click is ignored: one payment is asked for, not two.
        await el.updateComplete;
        expect(buttonOf(el).getAttribute('aria-busy')).to.equal('true');
        expect(buttonOf(el).getAttribute('aria-disabled')).to.equal('true');
        buttonOf(el).click();
        return redirectSeen;
      },
    );
    expect(creates, 'POST /api/payments').to.equal(1);

    expect(created.detail).to.have.keys(['invoice_number', 'amount', 'expires_at']);
    expect(created.detail.amount).to.equal(36000);
    const { form, redirect: r, invoice_number } = redirect.detail;
    expect(invoice_number).to.equal(created.detail.invoice_number);
    expect(redirect.cancelable).to.equal(true);
    expect(r.method.toUpperCase()).to.equal('POST');
    expect(r.url).to.equal(`${BFF}/simulator/linkaja/pay`);
    expect(form.getAttribute('method')).to.equal(r.method);
    expect(form.getAttribute('action')).to.equal(r.url);
    const fields = [...form.querySelectorAll('input')].map((i) => ({ type: i.type, name: i.name, value: i.value }));
    expect(fields).to.deep.equal(r.parameters.map((p) => ({ type: 'hidden', name: p.name, value: p.value })));
    expect(messageOf(r)).to.be.a('string').and.not.empty;
    // The form was not put into the page: the redirect was canceled.
    expect(form.isConnected).to.equal(false);

    const keys = pendingKeys();
    expect(keys).to.have.length(1);
    const stored = JSON.parse(sessionStorage.getItem(keys[0])!);
    expect(stored).to.include({ invoice_number, bff: BFF, amount: 36000, uses: 1 });
    expect(stored.redirect, 'kept for "continue payment"').to.deep.equal(r);
    expect(stored.status_token).to.be.a('string').with.length.above(16);
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).to.deep.equal(['created']);
  });

  it('sends items from the items attribute, priced by the BFF', async () => {
    const el = await mount({
      bff: BFF,
      items: '[{"sku":"nasi-goreng","quantity":2},{"sku":"es-teh-manis","quantity":1,"price":1}]',
    });
    const { created } = await payUntilRedirect(el);
    expect(created.detail.amount).to.equal(2 * 27500 + 6000);
  });

  it('sends an order-token instead of items, priced from the token', async () => {
    const token = await signOrderToken([{ name: 'Paket Hemat', price: 49000, quantity: 2 }]);
    const el = await mount({ bff: BFF, 'order-token': token, sku: 'kopi-susu' });
    const { created } = await payUntilRedirect(el);
    expect(created.detail.amount).to.equal(98000);
  });

  it('submits a real form from the page when nobody cancels the redirect', async () => {
    const frame = document.createElement('iframe');
    frame.src = `/test/widget/frame.html?bff=${encodeURIComponent(BFF)}`;
    document.body.append(frame);
    await oneEvent(frame, 'load');
    const doc = frame.contentDocument!;
    const el = doc.querySelector('linkaja-pay') as LinkajaPay;
    await customElementsIn(frame).whenDefined('linkaja-pay');
    await el.updateComplete;
    let placed: { inBody: boolean; method: string | null; action: string | null } | undefined;
    el.addEventListener('linkaja-pay:redirect', (e) => {
      const { form } = (e as CustomEvent).detail;
      queueMicrotask(
        () =>
          (placed = {
            inBody: form.parentNode === doc.body,
            method: form.getAttribute('method'),
            action: form.getAttribute('action'),
          }),
      );
    });
    const navigated = oneEvent(frame, 'load');
    el.shadowRoot!.querySelector('button')!.click();
    await navigated;
    expect(placed).to.deep.equal({ inBody: true, method: 'POST', action: `${BFF}/simulator/linkaja/pay` });
    // The frame now shows the simulator's LinkAja page, on the BFF's origin.
    expect(() => frame.contentWindow!.location.href).to.throw();
    frame.remove();
  });
});

const customElementsIn = (frame: HTMLIFrameElement) =>
  (frame.contentWindow as Window & typeof globalThis).customElements;

describe('<linkaja-pay> return', () => {
  it('follows the payment through server-sent events to SUCCESS', async () => {
    const el = await mount({ bff: BFF, sku: 'sate-ayam', locale: 'en' });
    const statuses: string[] = [];
    el.addEventListener('linkaja-pay:status', (e) => statuses.push((e as CustomEvent<StatusDetail>).detail.status));
    const pendingSeen = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 8000, (d) => d.status === 'PENDING');
    const { redirect } = await payUntilRedirect(el);
    await pendingSeen;
    await el.updateComplete;
    expect(partText(el, 'status')).to.equal('Waiting for confirmation of your Rp 32.000 payment…');
    await expect(el).to.be.accessible();

    const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success');
    await decide(messageOf(redirect.detail.redirect), 'pay');
    const { detail } = await success;
    await el.updateComplete;
    expect(detail).to.deep.equal({ invoice_number: redirect.detail.invoice_number, status: 'SUCCESS', amount: 32000 });
    expect(statuses).to.deep.equal(['PENDING', 'SUCCESS']);
    await new Promise((r) => setTimeout(r, 100)); // the stream's timing entry lands once it has closed
    expect(transportsUsed(detail.invoice_number)).to.deep.equal({ sse: true, polling: false });
    expect(partText(el, 'status')).to.equal('Payment of Rp 32.000 received. Thank you!');
    expect(buttonOf(el).disabled).to.equal(true);
    expect(buttonOf(el).textContent.trim()).to.equal('Paid');
    expect(pendingKeys()).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('picks a pending payment up on a fresh load and polls when EventSource is unavailable', async () => {
    const first = await mount({ bff: BFF, sku: 'gado-gado' });
    const { redirect } = await payUntilRedirect(first);
    first.remove(); // the customer left for LinkAja
    await decide(messageOf(redirect.detail.redirect), 'cancel');

    await withoutEventSource(async () => {
      const back = document.createElement('linkaja-pay');
      Object.assign(back, { bff: BFF, sku: 'gado-gado' });
      const failure = eventWithin<StatusDetail>(back, 'linkaja-pay:failure');
      document.body.append(back);
      const { detail } = await failure;
      await back.updateComplete;
      expect(detail).to.deep.equal({ invoice_number: redirect.detail.invoice_number, status: 'FAILED', amount: 22000 });
      expect(partText(back, 'status')).to.equal('Pembayaran gagal atau dibatalkan. Silakan coba lagi.');
      expect(buttonOf(back).textContent.trim()).to.equal('Bayar lagi dengan LinkAja');
      expect(buttonOf(back).disabled).to.equal(false);
      expect(pendingKeys()).to.deep.equal([]);
      expect(transportsUsed(detail.invoice_number)).to.deep.equal({ sse: false, polling: true });
      await expect(back).to.be.accessible();
      // "Pay again" starts a new payment.
      const again = await payUntilRedirect(back);
      expect(again.created.detail.invoice_number).to.not.equal(redirect.detail.invoice_number);
      back.remove();
    });
  });

  it('keeps polling a PENDING payment until it expires', async () => {
    await withoutEventSource(async () => {
      const el = await mount({ bff: BFF, sku: 'es-teh-manis', locale: 'en' });
      const { redirect } = await payUntilRedirect(el);
      await eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000, (d) => d.status === 'PENDING');
      const failure = eventWithin<StatusDetail>(el, 'linkaja-pay:failure', 8000);
      await decide(messageOf(redirect.detail.redirect), 'expire');
      expect((await failure).detail.status).to.equal('EXPIRED');
      await el.updateComplete;
      expect(partText(el, 'status')).to.equal('The payment expired. Please try again.');
    });
  });

  it('re-checks on pageshow and visibilitychange', async () => {
    const el = await mount({ bff: BFF, sku: 'rendang', id: 'later' });
    // A payment this element's order made on an earlier load, written where the element keeps it.
    const { redirect } = await payUntilRedirect(el);
    el.remove();
    const key = pendingKeys()[0];
    const record = sessionStorage.getItem(key)!;
    sessionStorage.removeItem(key);
    // Polling, and once the test says so every read the polling makes hangs: news can then only
    // come from the read that pageshow makes.
    let reads = 0;
    let hold = false;
    const handle = (c: FetchCall) => {
      if (!isStatusRead(c)) return c.send();
      reads++;
      return hold ? new Promise<Response>(() => undefined) : c.send();
    };
    await withoutEventSource(() =>
      throughFetch(handle, async () => {
        const back = document.createElement('linkaja-pay');
        Object.assign(back, { bff: BFF, sku: 'rendang', id: 'later' });
        document.body.append(back);
        await back.updateComplete;
        expect(partText(back, 'status')).to.equal('');
        sessionStorage.setItem(key, record);
        const pending = eventWithin<StatusDetail>(back, 'linkaja-pay:status');
        document.dispatchEvent(new Event('visibilitychange'));
        expect((await pending).detail.status).to.equal('PENDING');
        hold = true;
        await decide(messageOf(redirect.detail.redirect), 'pay');
        hold = false;
        const success = eventWithin<StatusDetail>(back, 'linkaja-pay:success', 3000);
        const before = reads;
        window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
        expect(reads, 'pageshow reads the status at once').to.equal(before + 1);
        expect((await success).detail.amount).to.equal(45000);
        back.remove();
      }),
    );
  });

  it('keeps two elements on one page independent', async () => {
    const a = await mount({ bff: BFF, sku: 'kopi-susu' });
    const b = await mount({ bff: BFF, sku: 'nasi-goreng' });
    const bEvents: string[] = [];
    for (const name of ['created', 'status', 'success', 'failure', 'error'])
      b.addEventListener(`linkaja-pay:${name}`, () => bEvents.push(name));
    const { redirect } = await payUntilRedirect(a);
    const success = eventWithin(a, 'linkaja-pay:success');
    await decide(messageOf(redirect.detail.redirect), 'pay');
    await success;
    await b.updateComplete;
    expect(bEvents).to.deep.equal([]);
    expect(buttonOf(b).textContent.trim()).to.equal('Bayar dengan LinkAja');
    expect(partText(b, 'status')).to.equal('');

    const { created } = await payUntilRedirect(b);
    expect(created.detail.amount).to.equal(27500);
    expect(pendingKeys()).to.have.length(1); // a's record is gone (final); b's is its own
    expect(buttonOf(a).textContent.trim()).to.equal('Sudah dibayar');
  });
});
