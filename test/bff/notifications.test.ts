// DOKU's HTTP Notification through real HTTP, a real SQLite file and the simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { notificationBody, sendNotification, signedNotification } from '../helpers/notify.ts';
import { newPayment as createPayment } from '../helpers/payments.ts';

describe('notifications', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  const newPayment = (quantity = 1) => createPayment(bff.url, 'gado-gado', quantity);
  const status = async (invoice: string) => (await bff.store.getOrder(invoice))!.status;
  const notify = (n: Parameters<typeof sendNotification>[2], body?: string) =>
    sendNotification(bff.url, bff.config, n, body);

  describe("the simulator's buttons move the order", () => {
    for (const [decision, expected] of [
      ['pay', 'SUCCESS'],
      ['cancel', 'FAILED'],
    ] as const) {
      it(`${decision} -> ${expected}`, async () => {
        const p = await newPayment();
        const result = await bff.simulator!.decide(p.invoice_number, decision);
        assert.equal(result.notificationStatus, 200);
        assert.equal(await status(p.invoice_number), expected);
        const inbox = await bff.store.listInbox(p.invoice_number);
        assert.equal(inbox.length, 1);
        assert.equal(inbox[0].outcome, 'transition');
      });
    }

    it('expire -> EXPIRED: no notification (DOKU sends none), reconciliation asks Check Status', async () => {
      const p = await newPayment();
      const result = await bff.simulator!.decide(p.invoice_number, 'expire');
      assert.match(String(result.notificationStatus), /not sent/);
      assert.equal(await status(p.invoice_number), 'PENDING');
      const tick = await bff.reconciler.tick(new Date());
      assert.ok(tick.changed >= 1, JSON.stringify(tick));
      assert.equal(await status(p.invoice_number), 'EXPIRED');
      assert.deepEqual(await bff.store.listInbox(p.invoice_number), []);
    });

    it('through the LinkAja page: form POST shows the amount, the decision 303s back to the shop', async () => {
      const p = await newPayment(2);
      const message = p.redirect.parameters.find((x) => x.name === 'Message')!.value;
      const page = await fetch(p.redirect.url, { method: 'POST', body: new URLSearchParams({ Message: message }) });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Rp\s?44\.000/);
      const decide = await fetch(`${bff.url}/simulator/linkaja/decide`, {
        method: 'POST',
        body: new URLSearchParams({ Message: message, decision: 'pay' }),
        redirect: 'manual',
      });
      assert.equal(decide.status, 303);
      const back = new URL(decide.headers.get('location')!);
      assert.equal(back.origin + back.pathname, `${bff.url}/`);
      assert.equal(back.searchParams.get('linkaja_invoice'), p.invoice_number);
      assert.equal(await status(p.invoice_number), 'SUCCESS');
    });
  });

  describe('refusals: 401, nothing stored, nothing changed', () => {
    const cases: Array<[string, (inv: string, amount: number) => Promise<{ status: number }>]> = [
      [
        'a tampered body',
        (inv, amount) => {
          const s = signedNotification(bff.config, { invoice: inv, amount, status: 'SUCCESS' });
          return fetch(bff.url + bff.config.notificationPath, {
            method: 'POST',
            headers: s.headers,
            body: s.body.replace('"SUCCESS"', '"SUCCESS" '),
          });
        },
      ],
      [
        'a wrong secret',
        (inv, amount) => notify({ invoice: inv, amount, status: 'SUCCESS', secretKey: 'SK-attacker' }),
      ],
      [
        'a signature made for another path',
        (inv, amount) => notify({ invoice: inv, amount, status: 'SUCCESS', target: '/other/path' }),
      ],
      [
        'another Client-Id',
        (inv, amount) => notify({ invoice: inv, amount, status: 'SUCCESS', clientId: 'BRN-OTHER' }),
      ],
      [
        'no signature at all',
        (inv, amount) =>
          fetch(bff.url + bff.config.notificationPath, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: notificationBody({ invoice: inv, amount, status: 'SUCCESS' }),
          }),
      ],
    ];
    for (const [what, send] of cases) {
      it(what, async () => {
        const p = await newPayment();
        const res = await send(p.invoice_number, p.amount);
        assert.equal(res.status, 401);
        assert.equal(await status(p.invoice_number), 'PENDING');
        assert.equal((await bff.store.listInbox(p.invoice_number)).length, 0);
      });
    }
  });

  it('a wrong amount never marks the order paid: flagged for review, recorded', async () => {
    const p = await newPayment();
    const res = await notify({ invoice: p.invoice_number, amount: p.amount - 1, status: 'SUCCESS' });
    assert.equal(res.status, 200);
    const order = (await bff.store.getOrder(p.invoice_number))!;
    assert.equal(order.status, 'PENDING');
    assert.equal(order.needsReview, true);
    assert.equal((await bff.store.listInbox(p.invoice_number))[0].outcome, 'amount_mismatch');
  });

  it('accepts the amount as a string such as "22000.00" and compares it numerically', async () => {
    const p = await newPayment();
    const res = await notify({ invoice: p.invoice_number, amount: `${p.amount}.00`, status: 'SUCCESS' });
    assert.equal(res.status, 200);
    assert.equal(await status(p.invoice_number), 'SUCCESS');
  });

  it('fields it does not act on never refuse a genuine notification (null dates, ids, channel blocks)', async () => {
    const p = await newPayment();
    const body = JSON.stringify({
      service: null,
      acquirer: { id: null },
      channel: 'EMONEY_LINKAJA',
      order: { invoice_number: p.invoice_number, amount: p.amount },
      transaction: { status: 'SUCCESS', date: null, original_request_id: null },
    });
    const res = await sendNotification(
      bff.url,
      bff.config,
      { invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' },
      body,
    );
    assert.equal(res.status, 200);
    assert.equal(await status(p.invoice_number), 'SUCCESS');
  });

  it('an invoice number with a control character is refused with 400 on every store (PostgreSQL cannot hold NUL)', async () => {
    const invoice = 'INV-\u0000-NUL';
    const res = await notify({ invoice, amount: 1000, status: 'SUCCESS' });
    assert.equal(res.status, 400);
    assert.match(String((res.body as { error: { message: string } }).error.message), /order\.invoice_number/);
  });

  it('a repeat of the same Request-Id is acknowledged and changes nothing', async () => {
    const p = await newPayment();
    const first = await notify({
      invoice: p.invoice_number,
      amount: p.amount,
      status: 'FAILED',
      requestId: 'dup-1-' + p.invoice_number,
    });
    const again = await notify({
      invoice: p.invoice_number,
      amount: p.amount,
      status: 'FAILED',
      requestId: 'dup-1-' + p.invoice_number,
    });
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    assert.equal(again.body!.duplicate, true);
    assert.equal((await bff.store.listInbox(p.invoice_number)).length, 1);
    assert.equal((await bff.store.getOrder(p.invoice_number))!.version, 1);
  });

  it('two copies arriving at the same moment apply once', async () => {
    const p = await newPayment();
    const requestId = 'same-' + p.invoice_number;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        notify({ invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS', requestId }),
      ),
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(results.filter((r) => r.body!.duplicate === false).length, 1);
    const order = (await bff.store.getOrder(p.invoice_number))!;
    assert.equal(order.status, 'SUCCESS');
    assert.equal(order.version, 1);
    assert.equal((await bff.store.listInbox(p.invoice_number)).length, 1);
  });

  it('a late FAILED after SUCCESS changes nothing', async () => {
    const p = await newPayment();
    await notify({ invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' });
    const late = await notify({ invoice: p.invoice_number, amount: p.amount, status: 'FAILED' });
    assert.equal(late.status, 200);
    assert.equal(await status(p.invoice_number), 'SUCCESS');
    assert.deepEqual(
      (await bff.store.listInbox(p.invoice_number)).map((e) => e.outcome),
      ['transition', 'refused'],
    );
  });

  it('SUCCESS after FAILED wins: money DOKU took is never lost', async () => {
    const p = await newPayment();
    await notify({ invoice: p.invoice_number, amount: p.amount, status: 'FAILED' });
    await notify({ invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' });
    assert.equal(await status(p.invoice_number), 'SUCCESS');
  });

  it('an unknown status changes nothing and is recorded', async () => {
    const p = await newPayment();
    const res = await notify({ invoice: p.invoice_number, amount: p.amount, status: 'REFUNDED' });
    assert.equal(res.status, 200);
    assert.equal(await status(p.invoice_number), 'PENDING');
    assert.equal((await bff.store.listInbox(p.invoice_number))[0].outcome, 'unknown_status');
  });

  it('an unknown invoice answers 404 and is recorded', async () => {
    const res = await notify({ invoice: 'INV-NOPE-1', amount: 1000, status: 'SUCCESS' });
    assert.equal(res.status, 404);
    assert.equal((await bff.store.listInbox('INV-NOPE-1'))[0].outcome, 'unknown_invoice');
  });

  it('a signed body that can never be valid answers 400', async () => {
    const notJson = await notify({ invoice: 'x', amount: 1, status: 'SUCCESS' }, 'not json');
    assert.equal(notJson.status, 400);
    const noOrder = await notify(
      { invoice: 'x', amount: 1, status: 'SUCCESS' },
      JSON.stringify({ transaction: { status: 'SUCCESS' } }),
    );
    assert.equal(noOrder.status, 400);
    assert.equal(noOrder.body!.error && (noOrder.body!.error as { code: string }).code, 'invalid_request');
  });

  it('a body over 64 kB answers 413 in the usual shape, declared or streamed, and nothing is stored', async () => {
    const p = await newPayment();
    const padded = JSON.stringify({
      ...JSON.parse(notificationBody({ invoice: p.invoice_number, amount: 22_000, status: 'SUCCESS' })),
      pad: 'x'.repeat(70_000),
    });
    const declared = await notify({ invoice: p.invoice_number, amount: 22_000, status: 'SUCCESS' }, padded);
    assert.equal(declared.status, 413);
    assert.equal((declared.body!.error as { code: string }).code, 'payload_too_large');
    // Without a Content-Length: the limit holds while the bytes arrive.
    const signed = signedNotification(
      bff.config,
      { invoice: p.invoice_number, amount: 22_000, status: 'SUCCESS' },
      padded,
    );
    const chunks = [padded.slice(0, 40_000), padded.slice(40_000)];
    const streamed = await fetch(bff.url + bff.config.notificationPath, {
      method: 'POST',
      headers: signed.headers,
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(streamed.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await status(p.invoice_number), 'PENDING');
    assert.deepEqual(await bff.store.listInbox(p.invoice_number), []);
  });
});

describe('notifications behind a reverse proxy that strips a prefix', () => {
  let bff: TestBff;
  before(async () => {
    // This BFF's simulator serves the proxied one below, so it may call back https://shop.example.
    bff = await startTestBff({ env: { ALLOWED_ORIGINS: 'https://shop.example' } });
  });
  after(() => bff.close());

  it('verifies against the path of the PUBLIC notification URL', async () => {
    // A second BFF whose PUBLIC_URL has a /pay prefix the proxy strips: DOKU signs /pay/api/notifications/doku.
    // A simulator on a public URL must be declared a public demo.
    const proxied = await startTestBff({
      env: { PUBLIC_URL: 'https://shop.example/pay', DOKU_BASE_URL: `${bff.url}/simulator`, SIMULATOR_PUBLIC: '1' },
    });
    try {
      const created = await request(proxied.url)
        .post('/api/payments')
        .set('Origin', 'https://shop.example')
        .send({ items: [{ sku: 'rendang', quantity: 1 }] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const inv = created.body.invoice_number;
      const wrongPath = await sendNotification(proxied.url, proxied.config, {
        invoice: inv,
        amount: 45000,
        status: 'SUCCESS',
        target: '/api/notifications/doku',
      });
      assert.equal(wrongPath.status, 401);
      const ok = await sendNotification(proxied.url, proxied.config, {
        invoice: inv,
        amount: 45000,
        status: 'SUCCESS',
        target: '/pay/api/notifications/doku',
      });
      assert.equal(ok.status, 200);
      assert.equal((await proxied.store.getOrder(inv))!.status, 'SUCCESS');
    } finally {
      await proxied.close();
    }
  });
});
