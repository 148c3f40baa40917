// Reconciliation: lost notifications are recovered with Check Status; orders past expiry are asked
// once more, then marked EXPIRED. Time is moved by passing `now` to tick().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { startFakeDoku, type Script } from '../helpers/fake-doku.ts';
import { freshSchema } from '../helpers/pg.ts';
import { DokuClient } from '../../bff/doku/client.ts';
import { createLogger } from '../../bff/log.ts';
import { Reconciler } from '../../bff/reconcile/reconciler.ts';
import { openStore } from '../../bff/store/index.ts';
import { sendNotification } from '../helpers/notify.ts';
import { insertAgedOrder } from '../helpers/orders.ts';
import { newPayment as createPayment } from '../helpers/payments.ts';

describe('reconciliation', () => {
  let bff: TestBff;
  before(async () => {
    // PUBLIC_URL points nowhere, so the simulator's notifications are lost, as DOKU's can be.
    // DOKU's minute before the first Check Status (the simulator's own BFF skips it).
    bff = await startTestBff({
      env: {
        PUBLIC_URL: 'http://127.0.0.1:9',
        ALLOWED_ORIGINS: 'http://127.0.0.1:9',
        RECONCILE_INTERVAL_SECONDS: '30',
      },
      reconcile: { minAgeMs: 60_000 },
    });
  });
  after(() => bff.close());
  const later = (ms: number) => new Date(Date.now() + ms);

  const newPayment = async () => (await createPayment(bff.url, 'sate-ayam')).invoice_number;

  it('does not ask about an order younger than a minute', async () => {
    const inv = await newPayment();
    await bff.simulator!.decide(inv, 'pay');
    const r = await bff.reconciler.tick(later(10_000));
    assert.equal(r.checked, 0);
    assert.equal((await bff.store.getOrder(inv))!.status, 'PENDING');
  });

  it('recovers a lost SUCCESS notification with Check Status, once per interval', async () => {
    const inv = await newPayment();
    const notified = await bff.simulator!.decide(inv, 'pay');
    assert.notEqual(notified.notificationStatus, 200, 'the notification was lost');
    const now = later(61_000);
    const r = await bff.reconciler.tick(now);
    assert.ok(r.checked >= 1);
    assert.equal((await bff.store.getOrder(inv))!.status, 'SUCCESS');
    // Asked again in the same interval: nothing is due.
    const again = await bff.reconciler.tick(new Date(now.getTime() + 1000));
    assert.equal(again.checked, 0);
  });

  it('asks once more past expiry, then marks the order EXPIRED', async () => {
    const inv = await newPayment();
    const r = await bff.reconciler.tick(later(16 * 60_000));
    assert.ok(r.expired >= 1);
    const order = (await bff.store.getOrder(inv))!;
    assert.equal(order.status, 'EXPIRED');
    assert.ok(order.lastCheckedAt, 'it was asked before being expired');
  });

  it('a SUCCESS notification after expiry still wins: money DOKU took is never lost', async () => {
    const inv = await newPayment();
    await bff.reconciler.tick(later(16 * 60_000));
    assert.equal((await bff.store.getOrder(inv))!.status, 'EXPIRED');
    const res = await sendNotification(bff.url, bff.config, { invoice: inv, amount: 32000, status: 'SUCCESS' });
    assert.equal(res.status, 200);
    assert.equal((await bff.store.getOrder(inv))!.status, 'SUCCESS');
  });

  it('keeps an order PENDING when DOKU cannot be asked, and tries again next interval', async () => {
    const offline = await startTestBff({ env: { DOKU_BASE_URL: 'http://127.0.0.1:9/simulator' } });
    try {
      const inv = 'INV-OFFLINE-1';
      await offline.store.insertOrder({
        invoiceNumber: inv,
        amount: 1000,
        statusTokenHash: '0'.repeat(64),
        requestId: 'r-offline-1',
        lineItems: [{ name: 'x', price: 1000, quantity: 1 }],
        returnUrl: 'http://x/',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      });
      const r = await offline.reconciler.tick(later(16 * 60_000));
      assert.equal(r.errors, 1);
      assert.equal((await offline.store.getOrder(inv))!.status, 'PENDING');
    } finally {
      await offline.close();
    }
  });
});

describe('reconciliation: what a Check Status answer may and may not do', () => {
  const clientId = 'BRN-0001-1234567890123';
  const secretKey = 'SK-reconcile-test-secret-0001';
  /** DOKU's answer per invoice; anything not scripted is a 500. */
  const answers = new Map<string, ReturnType<Script>>();
  let doku: Awaited<ReturnType<typeof startFakeDoku>>;
  let bff: TestBff;
  before(async () => {
    doku = await startFakeDoku({
      clientId,
      secretKey,
      script: (r) => answers.get(decodeURIComponent(r.path.split('/').pop()!)) ?? { status: 500, body: {} },
    });
    bff = await startTestBff({
      env: {
        ...doku.env,
        DOKU_TIMEOUT_MS: '500',
      },
    });
  });
  after(async () => {
    await bff.close();
    await doku.close();
  });

  /** A Rp 32.000 order created `ageMs` ago with the default 15-minute expiry, that DOKU will answer about with `answer`. */
  async function aged(invoice: string, ageMs: number, answer: ReturnType<Script>) {
    await insertAgedOrder(bff.store, invoice, ageMs);
    answers.set(invoice, answer);
  }

  /** An order created 20 minutes ago (past its expiry), reconciled now. */
  async function expiredOrder(
    answer: ReturnType<Script>,
    invoice = `INV-RC-${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
  ) {
    await aged(invoice, 20 * 60_000, answer);
    await bff.reconciler.tick(new Date());
    return (await bff.store.getOrder(invoice))!;
  }
  const found = (invoice: string | undefined, status: string, amount?: string) => ({
    ...(invoice ? { order: { invoice_number: invoice, ...(amount ? { amount } : {}) } } : {}),
    transaction: { status, date: '2026-11-25T10:00:00Z' },
  });

  it("a 404 from something that is not DOKU's answer never expires an order (it may have been paid)", async () => {
    const order = await expiredOrder({ status: 404, body: '<html>Not Found</html>', sign: 'none' });
    assert.equal(order.status, 'PENDING');
  });

  it('TIMEOUT past expiry is asked again, not expired', async () => {
    const order = await expiredOrder({ status: 200, body: { transaction: { status: 'TIMEOUT' } } });
    assert.equal(order.status, 'PENDING');
  });

  it('SUCCESS without an amount never marks the order paid', async () => {
    const order = await expiredOrder({ status: 200, body: { transaction: { status: 'SUCCESS' } } });
    assert.equal(order.status, 'PENDING');
  });

  it('an answer about another invoice changes nothing', async () => {
    const order = await expiredOrder({ status: 200, body: found('INV-SOMEONE-ELSE', 'EXPIRED', '32000.00') });
    assert.equal(order.status, 'PENDING');
  });

  it('SUCCESS with another amount past expiry: flagged for review, never expired (money was taken)', async () => {
    const invoice = 'INV-RC-MISMATCH';
    const order = await expiredOrder({ status: 200, body: found(invoice, 'SUCCESS', '31000.00') }, invoice);
    assert.deepEqual([order.status, order.needsReview], ['PENDING', true]);
  });

  it("DOKU's signed not-found (no transaction) past expiry: EXPIRED", async () => {
    const order = await expiredOrder({ status: 200, body: {} });
    assert.equal(order.status, 'EXPIRED');
  });

  it('the lease on a check ends with it: the next check is due one interval later, not one lease later', async () => {
    const invoice = 'INV-RC-LEASE';
    const now = Date.now();
    await aged(invoice, 120_000, { status: 200, body: found(invoice, 'PENDING', '32000.00') });
    const asked = () => doku.requests.filter((r) => r.path.endsWith(invoice)).length;
    await bff.reconciler.tick(new Date(now));
    assert.equal(asked(), 1);
    await bff.reconciler.tick(new Date(now + 10_000));
    assert.equal(asked(), 1, 'not again within the interval');
    await bff.reconciler.tick(new Date(now + bff.config.reconcileIntervalMs + 1_000));
    assert.equal(asked(), 2, 'again once the interval has passed');
  });

  it('SUCCESS with the right amount after expiry: paid', async () => {
    const invoice = 'INV-RC-PAID';
    const order = await expiredOrder({ status: 200, body: found(invoice, 'SUCCESS', '32000.00') }, invoice);
    assert.equal(order.status, 'SUCCESS');
  });
});

describe('reconciliation on several instances (PostgreSQL)', () => {
  const clientId = 'BRN-0001-1234567890123';
  const secretKey = 'SK-reconcile-multi-secret-0001';
  /** Check Status calls in flight per invoice right now, and the most ever seen at once. */
  const inFlight = new Map<string, number>();
  let mostAtOnce = 0;
  let calls = 0;

  it('two instances whose passes overlap never ask DOKU about the same order at once', async (t) => {
    const schema = await freshSchema();
    if ('skip' in schema) return t.skip(schema.skip);
    const doku = await startFakeDoku({
      clientId,
      secretKey,
      script: (r) => {
        const invoice = decodeURIComponent(r.path.split('/').pop()!);
        const n = (inFlight.get(invoice) ?? 0) + 1;
        inFlight.set(invoice, n);
        mostAtOnce = Math.max(mostAtOnce, n);
        calls++;
        setTimeout(() => inFlight.set(invoice, (inFlight.get(invoice) ?? 1) - 1), 60);
        return {
          status: 200,
          body: { order: { invoice_number: invoice, amount: '1000.00' }, transaction: { status: 'PENDING' } },
          delayMs: 50,
        };
      },
    });
    const log = createLogger({ level: 'silent' });
    const stores = [await openStore(schema.url, { log }), await openStore(schema.url, { log })];
    try {
      const now = Date.now();
      for (let i = 0; i < 8; i++) {
        await stores[0].insertOrder({
          invoiceNumber: `INV-MULTI-${i}`,
          amount: 1000,
          statusTokenHash: '0'.repeat(64),
          requestId: `r-multi-${i}`,
          lineItems: [{ name: 'Kopi', price: 1000, quantity: 1 }],
          returnUrl: 'http://127.0.0.1/',
          createdAt: new Date(now - 120_000),
          expiresAt: new Date(now + 3_600_000),
        });
      }
      const doku2 = new DokuClient({ baseUrl: doku.url, clientId, secretKey, timeoutMs: 1000 });
      // A short interval next to slow answers: without a lease per order, B's pass would take orders A is still asking about.
      const reconcilers = stores.map(
        (store) => new Reconciler({ store, log, doku: doku2, intervalMs: 100, checkLeaseMs: 1000 + 500 }),
      );
      // Both passes at once, B's clock a little ahead (past A's claims by more than the interval).
      const [ra, rb] = await Promise.all([
        reconcilers[0].tick(new Date(now)),
        reconcilers[1].tick(new Date(now + 120)),
      ]);
      assert.equal(
        mostAtOnce,
        1,
        `an order was asked about twice at the same time (A ${ra.checked}, B ${rb.checked}, DOKU calls ${calls})`,
      );
      assert.ok(ra.checked > 0 && rb.checked > 0, 'both instances did part of the work');
      const asked = new Set(doku.requests.map((r) => decodeURIComponent(r.path.split('/').pop()!)));
      assert.equal(asked.size, 8, 'every order was checked');
    } finally {
      for (const s of stores) await s.close();
      await doku.close();
      await schema.drop();
    }
  });
});
