// The server API for the merchant's backend (/api/v1) through real HTTP, on SQLite and PostgreSQL:
// the reference end to end (order token -> order -> webhook -> server API), every route with the
// right key, a wrong one and none, pages and filters, resends; without MERCHANT_API_KEY no route.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import request from 'supertest';
import { PaymentDetail, PaymentList, WebhookDeliveryList } from '../../shared/server-api.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { DATABASES } from '../helpers/databases.ts';
import { paymentAnswer, startFakeDoku } from '../helpers/fake-doku.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { startMerchantBackend } from '../helpers/merchant-backend.ts';

const API_KEY = `sk_test_${randomBytes(24).toString('hex')}`;
const TOKEN_SECRET = 'server-api-test-order-token-secret-0001';
const ITEMS = [
  { name: 'Kopi Susu', price: 18_000, quantity: 2 },
  { name: 'Roti Bakar', price: 12_000, quantity: 1 },
];

const orderToken = (claims: Record<string, unknown>, secret = TOKEN_SECRET) =>
  new SignJWT({ items: ITEMS, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

const auth = (key = API_KEY) => ({ Authorization: `Bearer ${key}` });

for (const [name, database] of Object.entries(DATABASES)) {
  describe(`server API: ${name}`, () => {
    let bff: TestBff | undefined;
    let backend: Awaited<ReturnType<typeof startMerchantBackend>>;
    const logs = capturingLogger('info');
    let skip: string | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    before(async () => {
      const db = await database();
      if ('skip' in db) return void (skip = db.skip);
      cleanup = db.cleanup;
      backend = await startMerchantBackend();
      bff = await startTestBff({
        log: logs.log,
        env: {
          ...db.env,
          ORDER_TOKEN_SECRET: TOKEN_SECRET,
          MERCHANT_WEBHOOK_URL: backend.url,
          MERCHANT_WEBHOOK_SECRET: backend.secret,
          MERCHANT_API_KEY: API_KEY,
        },
        webhook: { pollMs: 20, backoffMs: [50] },
      });
    });
    after(async () => {
      await bff?.close();
      backend?.close();
      await cleanup?.();
    });
    const test = (title: string, fn: (b: TestBff) => Promise<void>): void =>
      void it(title, async (t: TestContext) => (skip ? t.skip(skip) : fn(bff!)));

    const pay = async (b: TestBff, claims: Record<string, unknown> = {}) => {
      const res = await request(b.url)
        .post('/api/payments')
        .send({ order_token: await orderToken(claims), customer: { name: 'Sari', phone: '+62 812-3456-7890' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.invoice_number as string;
    };

    test('the reference end to end: order token -> payment -> webhook -> server API -> resend', async (b) => {
      const reference = `ORDER-${randomBytes(4).toString('hex')}`;
      const invoice = await pay(b, { ref: reference, metadata: { cart_id: 'c-42' } });

      const pending = await request(b.url).get(`/api/v1/payments/${invoice}`).set(auth());
      assert.equal(pending.status, 200);
      assert.equal(pending.get('cache-control'), 'no-store');
      const before = PaymentDetail.parse(pending.body);
      assert.deepEqual(
        [before.status, before.reference, before.metadata, before.line_items, before.customer, before.history],
        ['PENDING', reference, { cart_id: 'c-42' }, ITEMS, { name: 'Sari', phone: '081234567890' }, []],
      );

      await b.simulator!.decide(invoice, 'pay');
      const [hook] = await backend.waitFor(invoice);
      assert.equal(hook.id, `msg_${invoice}_1`);
      assert.equal(hook.payload.type, 'payment.succeeded');
      assert.deepEqual([hook.payload.data.reference, hook.payload.data.amount], [reference, 48_000]);

      const found = PaymentList.parse(
        (await request(b.url).get('/api/v1/payments').query({ reference }).set(auth()).expect(200)).body,
      );
      assert.deepEqual(
        found.data.map((p) => [p.invoice_number, p.status]),
        [[invoice, 'SUCCESS']],
      );
      const paid = PaymentDetail.parse((await request(b.url).get(`/api/v1/payments/${invoice}`).set(auth())).body);
      assert.deepEqual(
        paid.history.map((h) => [h.from, h.to, h.source, h.version]),
        [['PENDING', 'SUCCESS', 'notification', 1]],
      );

      const delivered = WebhookDeliveryList.parse(
        (
          await request(b.url)
            .get('/api/v1/webhook-deliveries')
            .query({ status: 'delivered', invoice })
            .set(auth())
            .expect(200)
        ).body,
      );
      assert.equal(delivered.data.length, 1);
      const [d] = delivered.data;
      assert.deepEqual(
        [d.webhook_id, d.type, d.status, d.attempts, d.last_error],
        [hook.id, 'payment.succeeded', 'delivered', 1, null],
      );

      const resent = await request(b.url).post(`/api/v1/webhook-deliveries/${d.id}/resend`).set(auth());
      assert.equal(resent.status, 202, JSON.stringify(resent.body));
      assert.equal(resent.body.status, 'pending');
      const [first, again] = await backend.waitFor(invoice, 2);
      assert.equal(again.id, first.id, 'a resend carries the same webhook-id: receivers drop it as a repeat');
      assert.deepEqual(again.payload, first.payload);
    });

    test('every route: 401 without a key or with a wrong one (logged without either), 2xx with the right one', async (b) => {
      const invoice = await pay(b);
      const routes: Array<[method: 'get' | 'post', path: string, ok: number]> = [
        ['get', '/api/v1/payments', 200],
        ['get', `/api/v1/payments/${invoice}`, 200],
        ['post', `/api/v1/payments/${invoice}/check`, 200],
        ['get', '/api/v1/webhook-deliveries', 200],
        ['post', '/api/v1/webhook-deliveries/999999/resend', 404],
      ];
      const wrongKey = `sk_wrong_${randomBytes(24).toString('hex')}`;
      for (const [method, path, ok] of routes) {
        for (const headers of [{}, auth(wrongKey), { Authorization: API_KEY }]) {
          const res = await request(b.url)[method](path).set(headers);
          assert.equal(res.status, 401, `${method} ${path} with ${JSON.stringify(headers)}`);
          assert.equal(res.body.error.code, 'unauthorized');
          assert.match(res.body.error.message, /Bearer <MERCHANT_API_KEY>/);
          assert.equal(res.get('www-authenticate'), 'Bearer');
        }
        const res = await request(b.url)[method](path).set(auth());
        assert.equal(res.status, ok, `${method} ${path}: ${JSON.stringify(res.body)}`);
      }
      const text = logs.text();
      assert.match(text, /refused: a wrong Bearer key \(MERCHANT_API_KEY\)/);
      assert.match(text, /refused: no Bearer key \(MERCHANT_API_KEY\)/);
      assert.ok(!text.includes(API_KEY) && !text.includes(wrongKey), 'no key reaches the log');
    });

    test('a page at a time, newest first, filtered by status and creation time; bad queries are 400', async (b) => {
      const reference = `PAGE-${randomBytes(4).toString('hex')}`;
      const since = new Date().toISOString();
      const invoices = [await pay(b), await pay(b), await pay(b, { ref: reference })];
      const seen: Array<{ invoice_number: string; created_at: string }> = [];
      let cursor: string | null | undefined;
      do {
        const res = await request(b.url)
          .get('/api/v1/payments')
          .query({ limit: 2, created_after: since, ...(cursor ? { cursor } : {}) })
          .set(auth());
        const page = PaymentList.parse(res.body);
        assert.ok(page.data.length <= 2);
        seen.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(seen.map((p) => p.invoice_number).sort(), [...invoices].sort(), 'all three, each once');
      const times = seen.map((p) => p.created_at);
      assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
      const byStatus = await request(b.url).get('/api/v1/payments').query({ status: 'SUCCESS', created_after: since });
      assert.equal(byStatus.status, 401);
      const none = PaymentList.parse(
        (await request(b.url).get('/api/v1/payments').query({ status: 'SUCCESS', created_after: since }).set(auth()))
          .body,
      );
      assert.deepEqual(none, { data: [], next_cursor: null });
      for (const query of [
        { limit: 0 },
        { limit: 101 },
        { status: 'PAID' },
        { created_after: 'yesterday' },
        { cursor: 'x' },
      ]) {
        const res = await request(b.url).get('/api/v1/payments').query(query).set(auth());
        assert.equal(res.status, 400, JSON.stringify(query));
        assert.equal(res.body.error.code, 'invalid_request');
      }
      const unknown = await request(b.url).get('/api/v1/payments/INV-20260101-NOSUCHONE').set(auth());
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'not_found']);
    });
  });
}

describe('server API: configuration', () => {
  it('without MERCHANT_API_KEY the routes do not exist (404, with or without a key)', async () => {
    const bff = await startTestBff();
    try {
      for (const path of ['/api/v1/payments', '/api/v1/webhook-deliveries']) {
        const res = await request(bff.url).get(path).set(auth());
        assert.deepEqual([res.status, res.body.error.code], [404, 'not_found']);
      }
    } finally {
      await bff.close();
    }
  });

  it('a delivery given up on is listed as failed with why, and a resend queues it; no resend without a webhook URL', async () => {
    // The merchant's backend is down (nothing listens there) and there is one attempt only.
    const down = await startMerchantBackend();
    down.close();
    const bff = await startTestBff({
      env: { MERCHANT_API_KEY: API_KEY, MERCHANT_WEBHOOK_URL: down.url, MERCHANT_WEBHOOK_SECRET: down.secret },
      webhook: { pollMs: 20, backoffMs: [] },
    });
    const plain = await startTestBff({ env: { MERCHANT_API_KEY: API_KEY } });
    try {
      const created = await request(bff.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] })
        .expect(201);
      const invoice = created.body.invoice_number as string;
      await bff.simulator!.decide(invoice, 'cancel');
      let failed: WebhookDeliveryList | undefined;
      for (const end = Date.now() + 3000; !failed?.data.length && Date.now() < end;) {
        await new Promise((r) => setTimeout(r, 20));
        const res = await request(bff.url).get('/api/v1/webhook-deliveries').query({ status: 'failed' }).set(auth());
        failed = WebhookDeliveryList.parse(res.body);
      }
      const [d] = failed!.data;
      assert.deepEqual([d?.invoice_number, d?.type, d?.attempts], [invoice, 'payment.failed', 1]);
      assert.match(String(d.last_error), /ECONNREFUSED/);
      const resent = await request(bff.url).post(`/api/v1/webhook-deliveries/${d.id}/resend`).set(auth());
      assert.deepEqual([resent.status, resent.body.status, resent.body.attempts], [202, 'pending', 0]);

      const refused = await request(plain.url).post(`/api/v1/webhook-deliveries/1/resend`).set(auth());
      assert.deepEqual([refused.status, refused.body.error.code], [409, 'webhooks_not_configured']);
    } finally {
      await bff.close();
      await plain.close();
    }
  });
});

describe('server API: POST /api/v1/payments/{invoice}/check against a scripted DOKU', () => {
  const clientId = 'BRN-0001-1234567890123';
  const secretKey = 'SK-server-api-check-secret-0001';
  let checkAnswer: { status: number; body: unknown } = { status: 200, body: {} };
  let doku: Awaited<ReturnType<typeof startFakeDoku>>;
  let bff: TestBff;
  before(async () => {
    doku = await startFakeDoku({
      clientId,
      secretKey,
      script: (r) => (r.method === 'POST' ? { status: 200, body: paymentAnswer(r.body) } : checkAnswer),
    });
    bff = await startTestBff({
      env: {
        DOKU_ENV: 'sandbox',
        DOKU_BASE_URL: doku.url,
        DOKU_CLIENT_ID: clientId,
        DOKU_SECRET_KEY: secretKey,
        DOKU_TIMEOUT_MS: '500',
        MERCHANT_API_KEY: API_KEY,
      },
    });
  });
  after(async () => {
    await bff.close();
    await doku.close();
  });

  it("asks DOKU now, applies its answer as reconciliation would, and answers the order with DOKU's word", async () => {
    const created = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] })
      .expect(201);
    const invoice = created.body.invoice_number as string;
    const amount = created.body.amount as number;
    const check = () => request(bff.url).post(`/api/v1/payments/${invoice}/check`).set(auth());

    checkAnswer = { status: 200, body: { order: { invoice_number: invoice, amount: `${amount}.00` } } };
    const unknown = await check();
    assert.deepEqual(
      [unknown.status, unknown.body.status, unknown.body.check],
      [200, 'PENDING', { doku_status: null, outcome: 'unknown_at_doku' }],
    );

    checkAnswer = {
      status: 200,
      body: { order: { invoice_number: invoice, amount: `${amount}.00` }, transaction: { status: 'SUCCESS' } },
    };
    const paid = await check();
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.deepEqual(paid.body.check, { doku_status: 'SUCCESS', outcome: 'transition' });
    const detail = PaymentDetail.parse(paid.body);
    assert.equal(detail.status, 'SUCCESS');
    assert.deepEqual(
      detail.history.map((h) => [h.from, h.to, h.source]),
      [['PENDING', 'SUCCESS', 'check_status']],
    );
    assert.equal(doku.requests.filter((r) => r.path === `/orders/v1/status/${invoice}`).length, 2);

    checkAnswer = { status: 503, body: { error: { code: 'down', message: 'maintenance' } } };
    const down = await check();
    assert.deepEqual([down.status, down.body.error.code], [502, 'gateway_error']);
    const missing = await request(bff.url).post('/api/v1/payments/INV-20260101-NOSUCHONE/check').set(auth());
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'not_found']);
  });
});
