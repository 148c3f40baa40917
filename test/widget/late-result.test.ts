// A late result reaches an open page: after FAILED or EXPIRED the element keeps a light poll (status
// route, no stream) for a while, shows paid if the payment turns SUCCESS (DOKU took the money late), and
// stops at the end of the window, when the page has been hidden long enough, or with the element.
// The window and interval are shortened here (latePoll: 30 s for 10 min in production).
import { expect } from '@open-wc/testing';
import { latePoll } from '../../widget/status-controller.ts';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import {
  buttonOf,
  decide,
  eventWithin,
  isStatusRead,
  messageOf,
  mount,
  BFF,
  partText,
  payUntilRedirect,
  sleep,
  throughFetch,
  watchingEventSources,
} from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };

const production = { ...latePoll };
beforeEach(() => Object.assign(latePoll, { everyMs: 150, forMs: 1500, hiddenMs: 400 }));
afterEach(() => {
  Object.assign(latePoll, production);
  sessionStorage.clear();
});

/** Pays, and the customer cancels on LinkAja: the element shows the failure. */
async function failedPayment(sku: string): Promise<{ el: LinkajaPay; invoice: string; amount: number }> {
  const el = await mount({ bff: BFF, sku, locale: 'en' });
  const { created, redirect } = await payUntilRedirect(el);
  const failure = eventWithin<StatusDetail>(el, 'linkaja-pay:failure', 8000);
  await decide(messageOf(redirect.detail.redirect), 'cancel');
  await failure;
  return { el, invoice: created.detail.invoice_number, amount: created.detail.amount };
}

/** DOKU's late word on the payment (a SUCCESS notification), as the BFF's late check would find it. */
async function paidLate(invoice: string, amount: number): Promise<void> {
  const res = await fetch(`/test-hooks/notify?invoice=${invoice}&amount=${amount}&status=SUCCESS`);
  expect((await res.json()).status, 'the BFF took the late SUCCESS').to.equal(200);
}

/** Counts the status reads the page makes while `run` runs. */
async function countingReads<T>(run: (reads: () => number) => Promise<T>): Promise<T> {
  let reads = 0;
  return throughFetch(
    (c) => {
      if (isStatusRead(c)) reads++;
      return c.send();
    },
    () => run(() => reads),
  );
}

/** Makes the page hidden (as when the customer switches to the LinkAja app) while `run` runs. */
async function whileHidden<T>(run: () => Promise<T>): Promise<T> {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  try {
    return await run();
  } finally {
    delete (document as unknown as Record<string, unknown>).hidden;
  }
}

describe('<linkaja-pay> late result', () => {
  it('shows paid when a failed payment turns SUCCESS later, with linkaja-pay:success; no stream is opened', async () => {
    await watchingEventSources(async (sources) => {
      const { el, invoice, amount } = await failedPayment('rendang');
      await el.updateComplete;
      expect(buttonOf(el).textContent.trim()).to.equal('Pay again with LinkAja');
      const streams = sources.length;
      const success = eventWithin<StatusDetail>(el, 'linkaja-pay:success', 3000);
      await paidLate(invoice, amount);
      expect((await success).detail).to.deep.equal({ invoice_number: invoice, status: 'SUCCESS', amount });
      await el.updateComplete;
      expect(partText(el, 'status')).to.equal('Payment of Rp 45.000 received. Thank you!');
      expect(buttonOf(el).disabled).to.equal(true);
      expect(sources.length, 'streams opened after the failure').to.equal(streams);
      el.remove();
    });
  });

  it('stops at the end of its window', async () => {
    await countingReads(async (reads) => {
      await failedPayment('kopi-susu');
      const start = reads();
      await sleep(latePoll.forMs + 2 * latePoll.everyMs);
      const atEnd = reads();
      expect(atEnd - start, 'reads during the window').to.be.within(4, 12);
      await sleep(5 * latePoll.everyMs);
      expect(reads(), 'reads after it').to.equal(atEnd);
    });
  });

  it('reads nothing while the page is hidden, and stops once it was hidden long enough', async () => {
    await countingReads(async (reads) => {
      const { el, invoice, amount } = await failedPayment('gado-gado');
      await whileHidden(async () => {
        const before = reads();
        await sleep(latePoll.hiddenMs + 3 * latePoll.everyMs);
        expect(reads(), 'reads while hidden').to.equal(before);
      });
      // Shown again after that: the watch is over (a late SUCCESS now is for the merchant's webhook).
      const before = reads();
      await paidLate(invoice, amount);
      await sleep(4 * latePoll.everyMs);
      expect(reads()).to.equal(before);
      expect(partText(el, 'status')).to.equal('The payment failed or was canceled. Please try again.');
      el.remove();
    });
  });

  it('stops when the element is removed, and when the customer pays again', async () => {
    await countingReads(async (reads) => {
      const first = await failedPayment('sate-ayam');
      first.el.remove();
      let before = reads();
      await sleep(4 * latePoll.everyMs);
      expect(reads(), 'reads after removal').to.equal(before);

      const second = await failedPayment('es-teh-manis');
      await payUntilRedirect(second.el); // "Pay again": a new payment, followed by its stream
      await sleep(50);
      before = reads();
      await paidLate(second.invoice, second.amount);
      await sleep(4 * latePoll.everyMs);
      expect(reads(), 'reads of the old payment').to.equal(before);
      expect(partText(second.el, 'status')).to.not.contain('received');
      second.el.remove();
    });
  });
});
