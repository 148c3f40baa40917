// Coming back from LinkAja in any tab or browser: the return URL names the payment (linkaja_invoice and
// a read-only linkaja_token), the element removes both from the address bar at once and follows that
// payment with nothing in sessionStorage. One element of the page takes it; hostile values show nothing.
import { expect } from '@open-wc/testing';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import {
  BFF,
  buttonOf,
  createPaymentDirect,
  decide,
  eventWithin,
  type FetchCall,
  isStatusRead,
  messageOf,
  mount,
  partText,
  payUntilRedirect,
  pendingKeys,
  sleep,
  throughFetch,
} from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };

const home = location.href;
afterEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', home);
  document.querySelectorAll('linkaja-pay').forEach((el) => el.remove());
});

/** The address as DOKU sends the customer back: the merchant's own query and hash, and the two parameters. */
function arriveWith(params: Record<string, string>): void {
  const query = new URLSearchParams({ table: '7', ...params });
  history.replaceState(null, '', `${location.pathname}?${query.toString()}#order`);
}

/** Elements as a page that has just loaded: all connected in one task, in document order. */
function place(...all: Array<Partial<LinkajaPay>>): LinkajaPay[] {
  const els = all.map((props) => Object.assign(document.createElement('linkaja-pay'), props));
  document.body.append(...els);
  return els;
}

/** Every event the element fires, by name. */
function recordEvents(el: LinkajaPay): string[] {
  const seen: string[] = [];
  for (const name of ['created', 'redirect', 'status', 'success', 'failure', 'error'])
    el.addEventListener(`linkaja-pay:${name}`, () => seen.push(name));
  return seen;
}

describe('<linkaja-pay> return URL', () => {
  it('follows the payment it names with empty sessionStorage, and strips the parameters at once', async () => {
    const payment = await createPaymentDirect('gado-gado');
    arriveWith({ linkaja_invoice: payment.invoice_number, linkaja_token: payment.status_token });
    const posts: string[] = [];
    await throughFetch(
      (c) => (c.method === 'POST' && posts.push(c.url), c.send()),
      async () => {
        const [el] = place({ bff: BFF, sku: 'rendang', locale: 'en' });
        // Read and removed as the element connected: the merchant's own query and hash stay.
        expect(location.search).to.equal('?table=7');
        expect(location.hash).to.equal('#order');
        const pending = await eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000);
        expect(pending.detail).to.deep.equal({
          invoice_number: payment.invoice_number,
          status: 'PENDING',
          amount: 22000,
        });
        await el.updateComplete;
        expect(partText(el, 'status')).to.equal('Waiting for confirmation of your Rp 22.000 payment…');
        // Its LinkAja page is not known here: the button waits for the result, it never pays twice.
        expect(buttonOf(el).getAttribute('aria-busy')).to.equal('true');
        buttonOf(el).click();
        await sleep(100);
        expect(posts, 'payments created').to.deep.equal([]);
        expect(pendingKeys(), 'kept for a reload').to.have.length(1);

        const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success');
        await decide(messageOf(payment.redirect), 'pay');
        expect((await success).detail.invoice_number).to.equal(payment.invoice_number);
        await el.updateComplete;
        expect(partText(el, 'status')).to.equal('Payment of Rp 22.000 received. Thank you!');
        expect(buttonOf(el).textContent.trim()).to.equal('Paid');
        expect(pendingKeys()).to.deep.equal([]);
      },
    );
  });

  it("follows the BFF's real return URL in a browser with nothing stored: its ticket is not the status token", async () => {
    const payer = await mount({ bff: BFF, sku: 'kopi-susu', locale: 'en' });
    const { created, redirect } = await payUntilRedirect(payer);
    payer.remove();
    const invoice = created.detail.invoice_number;
    const statusToken = JSON.parse(sessionStorage.getItem(pendingKeys()[0])!).status_token as string;
    await decide(messageOf(redirect.detail.redirect), 'pay');
    const { url } = (await (await fetch(`/test-hooks/return-url?invoice=${invoice}`)).json()) as { url: string };
    const returned = new URL(url);
    expect(returned.searchParams.get('linkaja_invoice')).to.equal(invoice);
    expect(returned.searchParams.get('linkaja_token')).to.be.a('string').and.not.equal(statusToken);
    sessionStorage.clear(); // another browser: nothing of the trip is kept here
    history.replaceState(null, '', `${returned.pathname}${returned.search}`);
    const [back] = place({ bff: BFF, sku: 'kopi-susu', locale: 'en' });
    expect(new URL(location.href).searchParams.has('linkaja_token')).to.equal(false);
    const success = await eventWithin<StatusDetail>(back, 'linkaja-pay:success', 5000);
    expect(success.detail).to.deep.equal({ invoice_number: invoice, status: 'SUCCESS', amount: 18000 });
    await back.updateComplete;
    expect(partText(back, 'status')).to.equal('Payment of Rp 18.000 received. Thank you!');
  });

  it('is found again on a reload of the return page (the address no longer names it)', async () => {
    const payment = await createPaymentDirect('es-teh-manis');
    arriveWith({ linkaja_invoice: payment.invoice_number, linkaja_token: payment.status_token });
    const [first] = place({ bff: BFF, sku: 'kopi-susu' });
    await eventWithin(first, 'linkaja-pay:status', 5000);
    first.remove();
    expect(location.search).to.equal('?table=7');
    const [reloaded] = place({ bff: BFF, sku: 'kopi-susu' });
    const again = await eventWithin<StatusDetail>(reloaded, 'linkaja-pay:status', 5000);
    expect(again.detail.invoice_number).to.equal(payment.invoice_number);
  });

  it('shows nothing and throws nothing for hostile or foreign values, and strips them too', async () => {
    const mine = await createPaymentDirect('kopi-susu');
    const theirs = await createPaymentDirect('rendang');
    // [case, parameters, whether they are well-formed enough to ask the BFF about]
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['overlong invoice', { linkaja_invoice: `INV-${'9'.repeat(300)}`, linkaja_token: mine.status_token }, false],
      ['overlong token', { linkaja_invoice: mine.invoice_number, linkaja_token: 'A'.repeat(5000) }, false],
      [
        'markup',
        { linkaja_invoice: '<img src=x onerror=alert(1)>', linkaja_token: '"><script>alert(1)</script>' },
        false,
      ],
      [
        'a header injection',
        { linkaja_invoice: mine.invoice_number, linkaja_token: `${mine.status_token}\r\nX-Evil: 1` },
        false,
      ],
      ['the invoice alone', { linkaja_invoice: mine.invoice_number }, false],
      ['the token alone', { linkaja_token: mine.status_token }, false],
      ['empty values', { linkaja_invoice: '', linkaja_token: '' }, false],
      // Well-formed, so asked about: the BFF answers 404 as for any unknown token.
      ['another invoice’s token', { linkaja_invoice: mine.invoice_number, linkaja_token: theirs.status_token }, true],
      ['an unknown invoice', { linkaja_invoice: 'INV-20990101-ZZZZZZZZZZ', linkaja_token: mine.status_token }, true],
    ];
    const thrown: string[] = [];
    const onError = (e: ErrorEvent | PromiseRejectionEvent) =>
      thrown.push(String('reason' in e ? e.reason : e.message));
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onError);
    try {
      for (const [name, params, asked] of cases) {
        arriveWith(params);
        // Each read of a status the page makes, answered.
        const reads: number[] = [];
        const seenAll = await throughFetch(
          async (c: FetchCall) => {
            const res = await c.send();
            if (isStatusRead(c)) reads.push(res.status);
            return res;
          },
          async () => {
            const [el] = place({ bff: BFF, sku: 'kopi-susu' });
            const seen = recordEvents(el);
            expect(location.search, name).to.equal('?table=7');
            // Long enough for the claim (one task), and for a well-formed one the status read's 404.
            const deadline = Date.now() + 4000;
            while (asked && Date.now() < deadline && !reads.length) await sleep(50);
            await sleep(200);
            await el.updateComplete;
            expect(partText(el, 'status'), name).to.equal('');
            expect(partText(el, 'message'), name).to.equal('');
            expect(buttonOf(el).textContent.trim(), name).to.equal('Bayar dengan LinkAja');
            expect(buttonOf(el).getAttribute('aria-busy'), name).to.equal('false');
            el.remove();
            return seen;
          },
        );
        expect(seenAll, `${name}: events`).to.deep.equal([]);
        expect(reads.length > 0, `${name}: asked the BFF`).to.equal(asked);
        expect(
          reads.every((s) => s === 404),
          `${name}: reads ${reads.join()}`,
        ).to.equal(true);
        expect(pendingKeys(), `${name}: nothing kept`).to.deep.equal([]);
      }
    } finally {
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onError);
    }
    expect(thrown).to.deep.equal([]);
  });

  it('with two elements and nothing kept, the first in document order takes it; the other stays idle', async () => {
    const payment = await createPaymentDirect('sate-ayam');
    arriveWith({ linkaja_invoice: payment.invoice_number, linkaja_token: payment.status_token });
    const [first, second] = place({ bff: BFF, sku: 'kopi-susu' }, { bff: BFF, sku: 'nasi-goreng' });
    const secondEvents = recordEvents(second);
    const found = await eventWithin<StatusDetail>(first, 'linkaja-pay:status', 5000);
    expect(found.detail.invoice_number).to.equal(payment.invoice_number);
    await sleep(300);
    expect(secondEvents).to.deep.equal([]);
    expect(partText(second, 'status')).to.equal('');
  });

  it('goes to the element that keeps it in sessionStorage, even one that connects later', async () => {
    // The customer paid with the second element of this page, in this tab, and comes back.
    const payer = await mount({ bff: BFF, sku: 'nasi-goreng' });
    const { created, redirect } = await payUntilRedirect(payer);
    payer.remove();
    const invoice = created.detail.invoice_number;
    const ticket = JSON.parse(sessionStorage.getItem(pendingKeys()[0])!).status_token as string;
    for (const late of [false, true]) {
      arriveWith({ linkaja_invoice: invoice, linkaja_token: ticket });
      const [first] = place({ bff: BFF, sku: 'kopi-susu' });
      const firstEvents = recordEvents(first);
      // A framework may render the second one a while after the first (lazy components).
      if (late) await sleep(300);
      const [keeper] = place({ bff: BFF, sku: 'nasi-goreng' });
      const found = await eventWithin<StatusDetail>(keeper, 'linkaja-pay:status', 5000);
      expect(found.detail.invoice_number, `late: ${late}`).to.equal(invoice);
      await sleep(300);
      expect(firstEvents, `late: ${late}`).to.deep.equal([]);
      first.remove();
      keeper.remove();
    }
    await decide(messageOf(redirect.detail.redirect), 'cancel');
  });

  it('a result element shows only the outcome: no button, the status, then the result', async () => {
    const payment = await createPaymentDirect('kopi-susu', 2);
    arriveWith({ linkaja_invoice: payment.invoice_number, linkaja_token: payment.status_token });
    const [result] = place({ bff: BFF, result: true });
    expect(result.shadowRoot!.querySelector('button')).to.equal(null);
    await eventWithin(result, 'linkaja-pay:status', 5000);
    await result.updateComplete;
    expect(partText(result, 'status')).to.equal('Menunggu konfirmasi pembayaran Rp 36.000…');
    const failure = eventWithin<StatusDetail>(result, 'linkaja-pay:failure');
    await decide(messageOf(payment.redirect), 'cancel');
    expect((await failure).detail.status).to.equal('FAILED');
    await result.updateComplete;
    expect(partText(result, 'status')).to.equal('Pembayaran gagal atau dibatalkan. Silakan coba lagi.');
    expect(result.shadowRoot!.querySelector('button')).to.equal(null);
    await expect(result).to.be.accessible();
  });

  it('a result element with no payment to show shows nothing', async () => {
    const [result] = place({ bff: BFF, result: true });
    await result.updateComplete;
    await sleep(100);
    expect(partText(result, 'status')).to.equal('');
    expect(partText(result, 'message')).to.equal('');
    expect(result.shadowRoot!.querySelector('button')).to.equal(null);
  });
});
