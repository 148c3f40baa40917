// Never two payments for one cart at once: while this element's payment is pending a click goes back to
// the same LinkAja payment ("continue payment"), and every create carries an Idempotency-Key kept per
// cart attempt in sessionStorage. Also the customer's details in the request.
import { expect } from '@open-wc/testing';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import {
  BFF,
  buttonOf,
  decide,
  eventWithin,
  type FetchCall,
  messageOf,
  mount,
  partText,
  payUntilRedirect,
  pendingKeys,
  signOrderToken,
  throughFetch,
} from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };
type RedirectDetail = { invoice_number: string; form: HTMLFormElement };

afterEach(() => sessionStorage.clear());

const isCreate = (c: FetchCall) => c.method === 'POST' && c.url === `${BFF}/api/payments`;
const keyOf = (c: FetchCall) => (c.init?.headers as Record<string, string>)['Idempotency-Key'];

/** Runs `run` while recording every create request the page sends: its Idempotency-Key and body. */
async function recordingCreates<T>(
  run: (creates: Array<{ key: string; body: Record<string, unknown> }>) => Promise<T>,
) {
  const creates: Array<{ key: string; body: Record<string, unknown> }> = [];
  return throughFetch(
    (c) => {
      if (isCreate(c)) creates.push({ key: keyOf(c), body: JSON.parse(c.init?.body as string) });
      return c.send();
    },
    () => run(creates),
  );
}

/** Clicks and catches the redirect (canceled, so the test page stays). */
async function clickToRedirect(el: LinkajaPay): Promise<RedirectDetail> {
  const redirect = new Promise<RedirectDetail>((resolve) =>
    el.addEventListener('linkaja-pay:redirect', (e) => (e.preventDefault(), resolve((e as CustomEvent).detail)), {
      once: true,
    }),
  );
  buttonOf(el).click();
  return redirect;
}

const fields = (form: HTMLFormElement) => [...form.querySelectorAll('input')].map((i) => [i.name, i.value]);

describe('<linkaja-pay> continue payment', () => {
  it('a click while its payment is pending goes back to the same LinkAja payment, never to a second one', async () => {
    await recordingCreates(async (creates) => {
      const el = await mount({ bff: BFF, sku: 'kopi-susu', locale: 'en' });
      const pending = eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000);
      const first = await payUntilRedirect(el);
      await pending;
      await el.updateComplete;
      expect(buttonOf(el).textContent.trim()).to.equal('Continue payment');
      expect(partText(el, 'status')).to.equal('Waiting for confirmation of your Rp 18.000 payment…');
      await expect(el).to.be.accessible();

      const again = await clickToRedirect(el);
      expect(again.invoice_number).to.equal(first.created.detail.invoice_number);
      expect(fields(again.form)).to.deep.equal(fields(first.redirect.detail.form));
      expect(creates, 'payments asked for').to.have.length(1);

      // Twice on LinkAja and back unpaid: whether LinkAja opens it a third time is unknown. Say so, then
      // the click makes a new payment, under a new key.
      await el.updateComplete;
      expect(partText(el, 'status')).to.equal(
        'The payment is not finished. If LinkAja cannot open it again, make a new one.',
      );
      expect(buttonOf(el).textContent.trim()).to.equal('Make a new payment');
      const fresh = await payUntilRedirect(el);
      expect(fresh.created.detail.invoice_number).to.not.equal(first.created.detail.invoice_number);
      expect(creates).to.have.length(2);
      expect(creates[1].key).to.not.equal(creates[0].key);
      el.remove();
    });
  });

  it('on a fresh load of the page, "Lanjutkan pembayaran" takes the customer back to the same payment', async () => {
    const first = await mount({ bff: BFF, sku: 'nasi-goreng' });
    const { created, redirect } = await payUntilRedirect(first);
    first.remove(); // the customer left for LinkAja, and came back with the back button
    await recordingCreates(async (creates) => {
      const back = await mount({ bff: BFF, sku: 'nasi-goreng' });
      await eventWithin(back, 'linkaja-pay:status', 5000);
      await back.updateComplete;
      expect(buttonOf(back).textContent.trim()).to.equal('Lanjutkan pembayaran');
      const again = await clickToRedirect(back);
      expect(again.invoice_number).to.equal(created.detail.invoice_number);
      expect(fields(again.form)).to.deep.equal(fields(redirect.detail.form));
      expect(creates).to.deep.equal([]);
      // Paid on that page: the element shows it.
      const success = eventWithin<StatusDetail>(back, 'linkaja-pay:success');
      await decide(messageOf(redirect.detail.redirect), 'pay');
      expect((await success).detail.invoice_number).to.equal(created.detail.invoice_number);
      back.remove();
    });
  });

  it('offers a new payment once the cart changed, or the pending payment expired', async () => {
    await recordingCreates(async (creates) => {
      // With an id the element keeps its payment across cart changes: the cart decides.
      const el = await mount({ bff: BFF, sku: 'kopi-susu', id: 'checkout' });
      const pending = eventWithin(el, 'linkaja-pay:status', 5000);
      const first = await payUntilRedirect(el);
      await pending;
      el.sku = 'rendang';
      await el.updateComplete;
      expect(buttonOf(el).textContent.trim()).to.equal('Bayar dengan LinkAja');
      const second = await payUntilRedirect(el);
      expect(second.created.detail.amount).to.equal(45000);
      expect(creates).to.have.length(2);
      el.remove();

      // The kept payment expired meanwhile (its expiry moved into the past): a new one, under a new key.
      const key = pendingKeys()[0];
      const record = JSON.parse(sessionStorage.getItem(key)!);
      sessionStorage.setItem(key, JSON.stringify({ ...record, expires_at: new Date(Date.now() - 1000).toISOString() }));
      const back = await mount({ bff: BFF, sku: 'rendang', id: 'checkout' });
      await eventWithin(back, 'linkaja-pay:status', 5000);
      await back.updateComplete;
      expect(buttonOf(back).textContent.trim()).to.equal('Bayar dengan LinkAja');
      const third = await payUntilRedirect(back);
      expect(third.created.detail.invoice_number).to.not.equal(second.created.detail.invoice_number);
      expect(creates).to.have.length(3);
      expect(new Set(creates.map((c) => c.key)).size, 'keys').to.equal(3);
      expect(first.created.detail.amount).to.equal(18000);
      back.remove();
    });
  });
});

describe('<linkaja-pay> Idempotency-Key', () => {
  it('is sent with every create, in the characters the BFF takes, and kept in sessionStorage', async () => {
    await recordingCreates(async (creates) => {
      const el = await mount({ bff: BFF, sku: 'kopi-susu' });
      await payUntilRedirect(el);
      expect(creates).to.have.length(1);
      expect(creates[0].key).to.match(/^[A-Za-z0-9_\-:.]{1,128}$/);
      expect(JSON.stringify(sessionStorage)).to.contain(creates[0].key);
      el.remove();
    });
  });

  it('is the same when the same cart is sent again after a lost answer (the same payment), new for another cart', async () => {
    let lost: string | undefined;
    const keys: string[] = [];
    await throughFetch(
      async (c) => {
        if (!isCreate(c)) return c.send();
        keys.push(keyOf(c));
        const res = await c.send();
        if (lost) return res;
        // The BFF created the payment, and its answer never reached the phone.
        lost = ((await res.json()) as { invoice_number: string }).invoice_number;
        throw new TypeError('Failed to fetch');
      },
      async () => {
        const el = await mount({ bff: BFF, sku: 'gado-gado', id: 'retry' });
        const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error');
        buttonOf(el).click();
        expect((await error).detail.code).to.equal('network_error');
        // The customer taps again: the same attempt, and the BFF answers with the payment it made.
        const again = await payUntilRedirect(el);
        expect(keys).to.have.length(2);
        expect(keys[1]).to.equal(keys[0]);
        expect(again.created.detail.invoice_number).to.equal(lost);
        // Another cart is another attempt.
        el.sku = 'sate-ayam';
        await el.updateComplete;
        await payUntilRedirect(el);
        expect(keys).to.have.length(3);
        expect(keys[2]).to.not.equal(keys[0]);
        el.remove();
      },
    );
  });

  it('is new after the payment ended, and after the BFF said the key went with another body (422)', async () => {
    let refuse = true;
    await recordingCreates(async (creates) => {
      const el = await mount({ bff: BFF, sku: 'es-teh-manis' });
      const { redirect } = await payUntilRedirect(el);
      const failure = eventWithin(el, 'linkaja-pay:failure');
      await decide(messageOf(redirect.detail.redirect), 'cancel');
      await failure;
      // "Pay again": the failed attempt is over.
      await payUntilRedirect(el);
      expect(creates).to.have.length(2);
      expect(creates[1].key).to.not.equal(creates[0].key);
      el.remove();
    });
    const keys: string[] = [];
    await throughFetch(
      async (c) => {
        if (!isCreate(c)) return c.send();
        keys.push(keyOf(c));
        if (!refuse) return c.send();
        refuse = false;
        const body = { error: { code: 'idempotency_key_reused', message: 'That key went with another request.' } };
        return new Response(JSON.stringify(body), { status: 422, headers: { 'Content-Type': 'application/json' } });
      },
      async () => {
        const el = await mount({ bff: BFF, sku: 'es-teh-manis', id: 'other' });
        const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error');
        buttonOf(el).click();
        expect((await error).detail.code).to.equal('idempotency_key_reused');
        await payUntilRedirect(el);
        expect(keys).to.have.length(2);
        expect(keys[1]).to.not.equal(keys[0]);
        el.remove();
      },
    );
  });
});

describe('<linkaja-pay> and the BFF', () => {
  it("says so when the merchant's order (the order token's ref) is already paid (409 already_paid)", async () => {
    const cart = [{ name: 'Paket Keluarga', price: 120000, quantity: 1 }];
    const ref = `ORDER-${Date.now()}`;
    const first = await mount({ bff: BFF, 'order-token': await signOrderToken(cart, 600, { ref }), id: 'first' });
    const { redirect } = await payUntilRedirect(first);
    const success = eventWithin(first, 'linkaja-pay:success');
    await decide(messageOf(redirect.detail.redirect), 'pay');
    await success;
    first.remove();
    // The same order, paid already, offered again (another tab, a fresh token): no second payment.
    const again = await mount({ bff: BFF, 'order-token': await signOrderToken(cart, 600, { ref }), id: 'again' });
    const error = eventWithin<{ code: string }>(again, 'linkaja-pay:error');
    buttonOf(again).click();
    expect((await error).detail.code).to.equal('already_paid');
    await again.updateComplete;
    expect(partText(again, 'message')).to.equal('Pesanan ini sudah dibayar.');
    again.remove();
  });

  it('the BFF takes the phone as people write it, and refuses one it cannot read, clearly', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu', 'customer-phone': '+62 812-3456.7890' });
    const { created } = await payUntilRedirect(el);
    expect(created.detail.amount).to.equal(18000);
    el.remove();
    const kept = pendingKeys();
    const wrong = await mount({ bff: BFF, sku: 'rendang', 'customer-phone': 'call me' });
    const error = eventWithin<{ code: string; message: string }>(wrong, 'linkaja-pay:error');
    buttonOf(wrong).click();
    const { detail } = await error;
    expect(detail.code).to.equal('invalid_request');
    expect(detail.message).to.contain('customer.phone');
    await wrong.updateComplete;
    expect(buttonOf(wrong).getAttribute('aria-busy')).to.equal('false');
    expect(pendingKeys(), 'no payment kept').to.deep.equal(kept);
    wrong.remove();
  });
});

describe('<linkaja-pay> customer details', () => {
  it('sends the customer attributes that are set, trimmed, and nothing else from the page', async () => {
    await recordingCreates(async (creates) => {
      const el = await mount({
        bff: BFF,
        sku: 'kopi-susu',
        'customer-name': '  Siti Rahma ',
        'customer-email': 'siti@example.co.id',
      });
      await payUntilRedirect(el);
      el.customerPhone = ' +6281234567890';
      el.customerEmail = '';
      el.sku = 'rendang';
      await el.updateComplete;
      await payUntilRedirect(el);
      const plain = await mount({ bff: BFF, sku: 'es-teh-manis' });
      await payUntilRedirect(plain);
      expect(creates.map((c) => c.body.customer)).to.deep.equal([
        { name: 'Siti Rahma', email: 'siti@example.co.id' },
        { name: 'Siti Rahma', phone: '+6281234567890' },
        undefined,
      ]);
      expect(Object.keys(creates[2].body).sort()).to.deep.equal(['items', 'return_url']);
    });
  });
});
