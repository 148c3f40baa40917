// No payment is lost after expiry: FAILED and EXPIRED orders are still asked about, on a back-off,
// for 48 h, and a late SUCCESS makes the order paid (queued for the merchant, logged as an error,
// counted). Time is moved by passing `now` to tick(); the journey at the end runs in real time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { LATE_CHECKS_FOR_MS } from '../../bff/reconcile/schedule.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { startFakeDoku, type Script } from '../helpers/fake-doku.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { insertAgedOrder } from '../helpers/orders.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const MIN = 60_000;

describe('late checks: FAILED and EXPIRED orders are asked about for 48 h', () => {
  const clientId = 'BRN-0001-1234567890123';
  const secretKey = 'SK-late-checks-secret-0001';
  /** DOKU's answer per invoice; anything not scripted is "not found". */
  const answers = new Map<string, ReturnType<Script>>();
  const captured = capturingLogger('info');
  let doku: Awaited<ReturnType<typeof startFakeDoku>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let bff: TestBff;
  let interval: number;
  before(async () => {
    receiver = await startWebhookReceiver();
    doku = await startFakeDoku({
      clientId,
      secretKey,
      script: (r) => answers.get(decodeURIComponent(r.path.split('/').pop()!)) ?? { status: 200, body: {} },
    });
    bff = await startTestBff({
      env: {
        ...doku.env,
        DOKU_TIMEOUT_MS: '500',
        MERCHANT_WEBHOOK_URL: receiver.url,
        MERCHANT_WEBHOOK_SECRET: 'whsec_bGlua2FqYS1wYXkgdGVzdCB3ZWJob29rIHNlY3JldCE=',
      },
      log: captured.log,
    });
    interval = bff.config.reconcileIntervalMs;
  });
  after(async () => {
    await bff.close();
    await doku.close();
    receiver.close();
  });

  const asked = (invoice: string) => doku.requests.filter((r) => r.path.endsWith(`/${invoice}`)).length;
  const answer = (invoice: string, status: string) =>
    answers.set(invoice, {
      status: 200,
      body: { order: { invoice_number: invoice, amount: '32000.00' }, transaction: { status } },
    });
  /** An order past its expiry that DOKU knows as PENDING, expired by the pass at `now`. */
  async function expiredAt(invoice: string, now: number) {
    await insertAgedOrder(bff.store, invoice, 20 * MIN, { now });
    answer(invoice, 'PENDING');
    await bff.reconciler.tick(new Date(now));
    assert.equal((await bff.store.getOrder(invoice))!.status, 'EXPIRED');
  }

  it('an order paid after it EXPIRED becomes SUCCESS at its first late check, one interval on', async () => {
    const invoice = 'INV-LATE-PAID';
    // An hour ahead: its webhooks are queued for then, and the outbox below is read before the forwarder's time comes.
    const final = Date.now() + 60 * MIN;
    const lateBefore = await bff.store.countLatePayments();
    await expiredAt(invoice, final);
    answer(invoice, 'SUCCESS'); // the customer approved it on LinkAja after our expiry
    await bff.reconciler.tick(new Date(final + interval / 2));
    assert.equal((await bff.store.getOrder(invoice))!.status, 'EXPIRED', 'not due within the interval');
    const r = await bff.reconciler.tick(new Date(final + interval + 1_000));
    assert.equal(r.late, 1);
    assert.equal((await bff.store.getOrder(invoice))!.status, 'SUCCESS');
    assert.deepEqual(
      (await bff.store.listEvents(invoice)).map((e) => `${e.from}->${e.to} by ${e.source}`),
      ['PENDING->EXPIRED by expiry', 'EXPIRED->SUCCESS by check_status'],
    );
    assert.equal(await bff.store.countLatePayments(), lateBefore + 1, 'counted for operators');
    // Queued for the merchant, in order: payment.expired, then payment.succeeded.
    const owed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const queued = await bff.store.claimWebhooks({ now: new Date(final + 2 * interval), leaseMs: MIN, limit: 100 });
      const due = queued.find((d) => d.invoiceNumber === invoice);
      if (!due) break;
      owed.push(due.status);
      await bff.store.settleWebhook(due, { deliveredAt: new Date() });
    }
    assert.deepEqual(owed, ['EXPIRED', 'SUCCESS']);
    const line = captured.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.invoice === invoice && l.level === 50);
    assert.equal(line?.msg, 'late payment: order was EXPIRED, now SUCCESS');
    assert.equal((await bff.store.getOrder(invoice))!.nextCheckAt, null, 'a paid order is never asked about again');
  });

  it('asks at 1, 2, 4 and 8 intervals after the order became final, and not in between', async () => {
    const invoice = 'INV-LATE-BACKOFF';
    await expiredAt(invoice, Date.now());
    const { updatedAt: final } = (await bff.store.getOrder(invoice))!;
    const offsets: number[] = [];
    for (let n = 1; n <= 4; n++) {
      const due = (await bff.store.getOrder(invoice))!.nextCheckAt!.getTime();
      offsets.push(Math.round((due - final.getTime()) / interval));
      await bff.reconciler.tick(new Date(due - 1_000));
      assert.equal(asked(invoice), n, `not asked a second before check ${n} is due`);
      await bff.reconciler.tick(new Date(due));
      assert.equal(asked(invoice), n + 1, `asked when check ${n} is due`);
    }
    assert.deepEqual(offsets, [1, 2, 4, 8], 'intervals after the order became final');
  });

  it('stops 48 h after the order was created', async () => {
    const invoice = 'INV-LATE-HORIZON';
    const created = Date.now() - 20 * MIN;
    await expiredAt(invoice, Date.now());
    await bff.reconciler.tick(new Date(created + LATE_CHECKS_FOR_MS - 30 * MIN));
    assert.equal(asked(invoice), 2, 'still asked close to 48 h');
    assert.equal((await bff.store.getOrder(invoice))!.nextCheckAt, null, 'the next one would come after 48 h');
    await bff.reconciler.tick(new Date(created + LATE_CHECKS_FOR_MS + 5 * MIN));
    assert.equal(asked(invoice), 2);
  });

  it('a late check that does not find the money leaves the order as it is, quietly', async () => {
    const invoice = 'INV-LATE-QUIET';
    await expiredAt(invoice, Date.now());
    const whenDue = async () => (await bff.store.getOrder(invoice))!.nextCheckAt!;
    answer(invoice, 'FAILED');
    await bff.reconciler.tick(await whenDue());
    answers.delete(invoice); // DOKU: not found
    await bff.reconciler.tick(await whenDue());
    assert.equal(asked(invoice), 3);
    assert.equal((await bff.store.getOrder(invoice))!.status, 'EXPIRED');
    const about = captured.lines.filter((l) => l.includes(invoice) && /"level":(40|50)/.test(l));
    assert.deepEqual(about, [], 'no warning or error for an answer that changes nothing');
  });

  it('an order DOKU refused to create is never asked about: no payment exists there', async () => {
    const invoice = 'INV-LATE-REFUSED';
    await insertAgedOrder(bff.store, invoice, 2 * MIN);
    await bff.store.markRejected(invoice, new Date());
    for (const k of [1, 2, 4, 60]) await bff.reconciler.tick(new Date(Date.now() + k * interval + 1_000));
    assert.equal(asked(invoice), 0);
  });
});

describe('late payment journey with the simulator (real time, 2-second reconcile interval)', () => {
  let bff: TestBff;
  const captured = capturingLogger('info');
  before(async () => {
    bff = await startTestBff({
      env: {
        // Notifications go nowhere, as a lost one would: only Check Status can find the payment.
        PUBLIC_URL: 'http://127.0.0.1:9',
        ALLOWED_ORIGINS: 'http://127.0.0.1:9',
      },
      log: captured.log,
      // The reconciler lives 16 minutes ahead, so the order is past its 15-minute expiry at once.
      reconcile: { start: true, clock: () => new Date(Date.now() + 16 * MIN) },
    });
  });
  after(() => bff.close());

  const statusWithin = async (invoice: string, status: string, ms: number) => {
    const end = Date.now() + ms;
    while ((await bff.store.getOrder(invoice))!.status !== status && Date.now() < end)
      await new Promise((r) => setTimeout(r, 25));
    assert.equal((await bff.store.getOrder(invoice))!.status, status, `${status} within ${ms} ms`);
    return Date.now();
  };

  it('expired, paid afterwards, found paid at the first late check', async () => {
    assert.equal(bff.config.reconcileIntervalMs, 2_000);
    const started = Date.now();
    const res = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
    assert.equal(res.status, 201);
    const invoice = res.body.invoice_number as string;
    const expiredAt = await statusWithin(invoice, 'EXPIRED', 6_000);
    const paid = await bff.simulator!.decide(invoice, 'pay');
    assert.notEqual(paid.notificationStatus, 200, 'the notification was lost');
    const paidAt = Date.now();
    const succeededAt = await statusWithin(invoice, 'SUCCESS', 8_000);
    console.log(
      `late payment: EXPIRED ${expiredAt - started} ms after creation; paid ${paidAt - expiredAt} ms later; ` +
        `SUCCESS ${succeededAt - paidAt} ms after the payment`,
    );
    // Due one interval after it expired; a pass comes at most one interval after that.
    assert.ok(succeededAt - expiredAt <= 2 * 2_000 + 1_500, 'first late check within two intervals');
    assert.ok(captured.text().includes('late payment: order was EXPIRED, now SUCCESS'));
  });
});
