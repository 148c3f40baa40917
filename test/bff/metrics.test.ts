// GET /metrics: off without METRICS_TOKEN, Bearer with it, and what it says after real traffic: a
// paid order, refused notifications, a late payment, an amount mismatch, webhook deliveries, DOKU
// call latencies. Two BFFs in one process keep their own registries.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { agePayment } from '../helpers/age.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { DATABASES } from '../helpers/databases.ts';
import { startMerchantBackend } from '../helpers/merchant-backend.ts';
import { sendNotification } from '../helpers/notify.ts';
import { openStream } from '../helpers/sse.ts';

const TOKEN = `metrics-${'t'.repeat(32)}`;

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let bff: TestBff;
  let other: TestBff;
  let backend: Awaited<ReturnType<typeof startMerchantBackend>>;
  before(async () => {
    backend = await startMerchantBackend();
    bff = await startTestBff({
      env: { METRICS_TOKEN: TOKEN, MERCHANT_WEBHOOK_URL: backend.url, MERCHANT_WEBHOOK_SECRET: backend.secret },
      webhook: { pollMs: 20 },
    });
    other = await startTestBff({ env: { METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    await bff.close();
    await other.close();
    backend.close();
  });
  const scrape = async (b: TestBff) => {
    const res = await request(b.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(String(res.get('content-type')), /^text\/plain; version=0\.0\.4/);
    return res.text;
  };
  const create = async (b: TestBff) => {
    const res = await request(b.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
    assert.equal(res.status, 201);
    return res.body as { invoice_number: string; amount: number };
  };

  it('is off without METRICS_TOKEN, and needs the token as Bearer', async () => {
    const off = await startTestBff();
    try {
      assert.equal((await request(off.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status, 404);
      assert.equal(off.metrics, undefined, 'nothing counted (nor prom-client loaded) where nobody can read it');
    } finally {
      await off.close();
    }
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token-wrong-token', TOKEN]) {
      const res = await request(bff.url)
        .get('/metrics')
        .set(auth ? { Authorization: auth } : {});
      assert.deepEqual([res.status, res.body.error?.code], [401, 'unauthorized']);
    }
  });

  it('counts a paid order, refused notifications, a late payment and an amount mismatch', async () => {
    const paid = await create(bff);
    await bff.simulator!.decide(paid.invoice_number, 'pay');
    await backend.waitFor(paid.invoice_number);

    const late = await create(bff);
    const notify = (status: string, amount = late.amount, invoice = late.invoice_number) =>
      sendNotification(bff.url, bff.config, { invoice, amount, status });
    assert.equal((await notify('FAILED')).status, 200);
    assert.equal((await notify('SUCCESS')).status, 200, 'FAILED -> SUCCESS: money taken late');
    const mismatched = await create(bff);
    assert.equal((await notify('SUCCESS', 1, mismatched.invoice_number)).status, 200);
    assert.equal((await notify('SUCCESS', 1, 'INV-20260101-NOSUCHONE')).status, 404);
    const forged = await sendNotification(bff.url, bff.config, {
      invoice: late.invoice_number,
      amount: late.amount,
      status: 'SUCCESS',
      secretKey: 'SK-not-the-merchants-key',
    });
    assert.equal(forged.status, 401);
    await backend.waitFor(late.invoice_number, 2);

    const text = await scrape(bff);
    const expected: Record<string, number> = {
      linkaja_pay_payments_created_total: 3,
      'linkaja_pay_payments_final_total{status="SUCCESS"}': 2,
      'linkaja_pay_payments_final_total{status="FAILED"}': 1,
      'linkaja_pay_payments_final_total{status="EXPIRED"}': 0,
      // The simulator's own notification, then ours: FAILED, SUCCESS, the mismatch, the unknown, the forged.
      linkaja_pay_notifications_received_total: 6,
      'linkaja_pay_notifications_refused_total{reason="signature_mismatch"}': 1,
      'linkaja_pay_notifications_refused_total{reason="unknown_invoice"}': 1,
      'linkaja_pay_notifications_refused_total{reason="invalid_body"}': 0,
      linkaja_pay_late_payments_total: 1,
      linkaja_pay_amount_mismatches_total: 1,
      'linkaja_pay_doku_request_duration_seconds_count{operation="create_payment",outcome="ok"}': 3,
      'linkaja_pay_webhook_deliveries{state="pending"}': 0,
      'linkaja_pay_webhook_deliveries{state="failed"}': 0,
    };
    for (const [series, value] of Object.entries(expected)) assert.equal(sample(text, series), value, series);
    assert.ok(
      sample(text, 'linkaja_pay_doku_request_duration_seconds_sum{operation="create_payment",outcome="ok"}')! > 0,
    );
    assert.ok(sample(text, 'process_cpu_user_seconds_total')! > 0, 'process metrics too');
    assert.doesNotMatch(text, new RegExp(late.invoice_number), 'no label holds an invoice');
  });

  it('keeps two BFFs in one process apart (a registry each)', async () => {
    await create(other);
    const mine = await scrape(bff);
    const theirs = await scrape(other);
    assert.equal(sample(theirs, 'linkaja_pay_payments_created_total'), 1);
    assert.ok(sample(mine, 'linkaja_pay_payments_created_total')! >= 3);
    assert.equal(sample(theirs, 'linkaja_pay_notifications_received_total'), 0);
  });

  it('counts open status streams', async () => {
    const p = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
    const url = `${bff.url}/api/payments/${p.body.invoice_number}/events?token=${p.body.status_token}`;
    const streams = [await openStream(url), await openStream(url)];
    await streams[0].event(0);
    assert.equal(sample(await scrape(bff), 'linkaja_pay_open_status_streams'), 2);
    for (const s of streams) s.close();
    for (const end = Date.now() + 2000; Date.now() < end;) {
      if (sample(await scrape(bff), 'linkaja_pay_open_status_streams') === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(sample(await scrape(bff), 'linkaja_pay_open_status_streams'), 0);
  });
});

for (const [name, database] of Object.entries(DATABASES)) {
  it(`reconciler lag: the age of the oldest due Check Status, read from the store (${name})`, async (t) => {
    const db = await database();
    if ('skip' in db) return t.skip(db.skip);
    const bff = await startTestBff({ env: { ...db.env, METRICS_TOKEN: TOKEN } });
    try {
      const lag = async () => {
        const res = await request(bff.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
        return sample(res.text, 'linkaja_pay_reconcile_lag_seconds')!;
      };
      assert.equal(await lag(), 0, 'nothing waiting');
      const p = await request(bff.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
      await agePayment(bff.store, p.body.invoice_number as string, 120_000);
      const behind = await lag();
      assert.ok(behind >= 119 && behind < 130, `lag ${behind} s`);
    } finally {
      await bff.close();
      await db.cleanup();
    }
  });
}
