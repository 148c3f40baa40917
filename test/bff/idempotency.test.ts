// POST /api/payments with an Idempotency-Key, through real HTTP on SQLite and on PostgreSQL: the same
// payment again (200) and never a second DOKU payment (counted at the simulator), 422 for another
// body, keys scoped per origin and forgotten when their payment expires; concurrent requests; and
// two BFF instances on one PostgreSQL database in front of one DOKU.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import request from 'supertest';
import { CreatePaymentResponse } from '../../shared/api.ts';
import { openDatabase, type Database } from '../../bff/database.ts';
import { createLogger } from '../../bff/log.ts';
import { DEMO_CATALOG_FILE } from '../../bff/orders/sources.ts';
import { startSimulator, type StartedSimulator } from '../../bff/simulator/index.ts';
import { agePayment } from '../helpers/age.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { DATABASES } from '../helpers/databases.ts';
import { paymentAnswer, startFakeDoku } from '../helpers/fake-doku.ts';
import { freshSchema, type TestSchema } from '../helpers/pg.ts';
import { sendNotification } from '../helpers/notify.ts';

const SHOP = 'https://shop.example';
const CART = { items: [{ sku: 'kopi-susu', quantity: 2 }] };
const newKey = () => `cart-${randomBytes(6).toString('hex')}`;

for (const [name, database] of Object.entries(DATABASES)) {
  describe(`Idempotency-Key over HTTP: ${name}`, () => {
    let bff: TestBff | undefined;
    let skip: string | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    before(async () => {
      const db = await database();
      if ('skip' in db) skip = db.skip;
      else {
        cleanup = db.cleanup;
        bff = await startTestBff({ env: { ...db.env, ALLOWED_ORIGINS: SHOP } });
      }
    });
    after(async () => {
      await bff?.close();
      await cleanup?.();
    });
    const test = (title: string, fn: (bff: TestBff) => Promise<void>): void =>
      void it(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await fn(bff!);
      });
    const post = (b: TestBff, key: string | undefined, body: object = CART, origin = b.url) => {
      const r = request(b.url).post('/api/payments').set('Origin', origin);
      return (key === undefined ? r : r.set('Idempotency-Key', key)).send(body);
    };
    const dokuPayments = (b: TestBff) => b.simulator!.payments().length;
    const statusWith = (b: TestBff, invoice: string, token: string) =>
      request(b.url).get(`/api/payments/${invoice}`).set('Authorization', `Bearer ${token}`);

    test('the same key and body again: 200, the same payment and redirect, a fresh status token; one DOKU payment', async (b) => {
      const key = newKey();
      const before = dokuPayments(b);
      const first = await post(b, key);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const again = await post(b, key);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      const [p1, p2] = [CreatePaymentResponse.parse(first.body), CreatePaymentResponse.parse(again.body)];
      const { status_token: t1, ...same1 } = p1;
      const { status_token: t2, ...same2 } = p2;
      assert.deepEqual(same2, same1, 'invoice, amount, expires_at, redirect and status');
      assert.notEqual(t2, t1, 'a fresh status token');
      for (const token of [t1, t2]) assert.equal((await statusWith(b, p1.invoice_number, token)).status, 200);
      assert.equal(dokuPayments(b) - before, 1, 'one DOKU create request');
      assert.equal(again.get('cache-control'), 'no-store');

      // The status answered again is the payment's current one.
      await sendNotification(b.url, b.config, { invoice: p1.invoice_number, amount: p1.amount, status: 'FAILED' });
      const later = await post(b, key);
      assert.deepEqual(
        [later.status, later.body.invoice_number, later.body.status],
        [200, p1.invoice_number, 'FAILED'],
      );
    });

    test('the same key with another body: 422 idempotency_key_reused, and no DOKU payment', async (b) => {
      const key = newKey();
      assert.equal((await post(b, key)).status, 201);
      const before = dokuPayments(b);
      const other = await post(b, key, { items: [{ sku: 'kopi-susu', quantity: 3 }] });
      assert.equal(other.status, 422);
      assert.equal(other.body.error.code, 'idempotency_key_reused');
      assert.equal(dokuPayments(b), before);
      // The same body with its keys in another order is the same request.
      const reordered = await post(b, key, { items: [{ quantity: 2, sku: 'kopi-susu' }] });
      assert.equal(reordered.status, 200);
    });

    test('a malformed key is a 400 naming the header', async (b) => {
      for (const key of ['', 'x'.repeat(129), 'two words', 'kunci/1', 'kunci;1']) {
        const res = await post(b, key);
        assert.equal(res.status, 400, key);
        assert.equal(res.body.error.code, 'invalid_request');
        assert.match(res.body.error.message, /Idempotency-Key/);
      }
      assert.equal((await post(b, `A-z_0-9:.${'k'.repeat(119)}`)).status, 201, '128 characters of the allowed ones');
    });

    test('keys are scoped per origin: the same key from another allowed origin is another payment', async (b) => {
      const key = newKey();
      const mine = await post(b, key, CART, b.url);
      const theirs = await post(b, key, CART, SHOP);
      assert.deepEqual([mine.status, theirs.status], [201, 201]);
      assert.notEqual(mine.body.invoice_number, theirs.body.invoice_number);
      const serverSide = await request(b.url).post('/api/payments').set('Idempotency-Key', key).send(CART);
      assert.equal(serverSide.status, 201, 'a caller without Origin has its own scope');
      assert.equal((await post(b, key, CART, SHOP)).body.invoice_number, theirs.body.invoice_number);
    });

    test('a key is forgotten once its payment expires: it may start a new payment, even with another body', async (b) => {
      const key = newKey();
      const first = await post(b, key);
      await agePayment(b.store, first.body.invoice_number, b.config.orderExpiryMs + 1000);
      const fresh = await post(b, key, { items: [{ sku: 'rendang', quantity: 1 }] });
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      assert.notEqual(fresh.body.invoice_number, first.body.invoice_number);
    });

    test('6 requests with one key at once make one DOKU payment; each gets it (one 201, the rest 200)', async (b) => {
      const key = newKey();
      const before = dokuPayments(b);
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(b, key)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 201]);
      assert.equal(new Set(answers.map((a) => a.body.invoice_number)).size, 1);
      assert.equal(dokuPayments(b) - before, 1);
    });
  });
}

describe('Idempotency-Key while DOKU is slow', () => {
  const clientId = 'BRN-0001-SLOWDOKU0001';
  const secretKey = 'SK-slow-doku-test-secret-0001';
  let doku: Awaited<ReturnType<typeof startFakeDoku>>;
  let bff: TestBff;
  before(async () => {
    doku = await startFakeDoku({
      clientId,
      secretKey,
      script: (r) => ({ status: 200, body: paymentAnswer(r.body), delayMs: 1200 }),
    });
    bff = await startTestBff({
      env: {
        ...doku.env,
      },
      deps: { inProgressWaitMs: 300 },
    });
  });
  after(async () => {
    await bff.close();
    await doku.close();
  });

  it('a second request that the payment is not ready for within the wait gets 409 payment_in_progress', async () => {
    const key = newKey();
    const send = () => request(bff.url).post('/api/payments').set('Idempotency-Key', key).send(CART);
    const first = send().then((r) => r); // supertest sends when awaited: send this one now
    await new Promise((r) => setTimeout(r, 100));
    const second = await send();
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'payment_in_progress');
    assert.equal((await first).status, 201);
    const third = await send();
    assert.deepEqual([third.status, third.body.invoice_number], [200, (await first).body.invoice_number]);
    assert.equal(doku.requests.length, 1, 'one DOKU create request');
  });
});

describe('two BFF instances on one PostgreSQL, one DOKU', () => {
  const creds = { clientId: 'BRN-0001-TWOINSTANCES1', secretKey: 'SK-two-instances-test-secret-01' };
  let schema: TestSchema | undefined;
  let skip: string | undefined;
  let sim: StartedSimulator;
  const instances: Array<{ bff: TestBff; database: Database }> = [];
  before(async () => {
    const s = await freshSchema();
    if ('skip' in s) return void (skip = s.skip);
    schema = s;
    sim = await startSimulator(creds);
    for (let i = 0; i < 2; i++) {
      const log = createLogger({ level: 'silent' });
      const database = await openDatabase(s.url, {
        log,
        statusChannel: `linkaja_status_t${randomBytes(4).toString('hex')}`,
      });
      const bff = await startTestBff({
        store: database.store,
        bus: database.bus,
        env: {
          DATABASE_URL: s.url,
          DOKU_ENV: 'sandbox',
          CATALOG_FILE: DEMO_CATALOG_FILE,
          DOKU_BASE_URL: sim.url,
          DOKU_CLIENT_ID: creds.clientId,
          DOKU_SECRET_KEY: creds.secretKey,
          ORDER_TOKEN_SECRET: 'two-instances-order-token-secret-0001',
        },
      });
      instances.push({ bff, database });
    }
  });
  after(async () => {
    for (const { bff, database } of instances) {
      await bff.close();
      await database.close();
    }
    await sim?.close();
    await schema?.drop();
  });

  it('one key sent to both at once, 5 times over: one DOKU payment each time, the same one answered to all', async (t) => {
    if (skip) return t.skip(skip);
    for (let round = 0; round < 5; round++) {
      const key = newKey();
      const before = sim.simulator.payments().length;
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          request(instances[i % 2].bff.url)
            .post('/api/payments')
            .set('Idempotency-Key', key)
            .send(CART),
        ),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 201], `round ${round}`);
      assert.equal(new Set(answers.map((a) => a.body.invoice_number)).size, 1);
      assert.equal(sim.simulator.payments().length - before, 1, `round ${round}: DOKU payments`);
    }
  });

  it('one reference sent to both at once (no key): one DOKU payment, the same one answered to all', async (t) => {
    if (skip) return t.skip(skip);
    const { SignJWT } = await import('jose');
    const reference = `ORDER-${randomBytes(4).toString('hex')}`;
    const token = () =>
      new SignJWT({ items: [{ name: 'Paket Keluarga', price: 125_000, quantity: 1 }], ref: reference })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode('two-instances-order-token-secret-0001'));
    const before = sim.simulator.payments().length;
    const answers = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        request(instances[i % 2].bff.url)
          .post('/api/payments')
          .send({ order_token: await token() }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(answers.map((a) => a.body.invoice_number)).size, 1);
    assert.equal(sim.simulator.payments().length - before, 1);
  });
});
