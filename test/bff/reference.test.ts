// The merchant's reference through real HTTP, on SQLite and on PostgreSQL: an order token's ref and
// metadata reach the order, the status answer, its events and the merchant's webhook; a pending
// reference gets its payment back (one DOKU payment, counted at the simulator), a paid one 409, a
// failed or expired one a new payment; a second payment of one reference paid anyway says
// duplicate_of in its webhook and logs an error.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../../shared/server-api.ts';
import { agePayment } from '../helpers/age.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { DATABASES } from '../helpers/databases.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { openStream } from '../helpers/sse.ts';

const TOKEN_SECRET = 'reference-test-order-token-secret-01';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ITEMS = [
  { name: 'Paket Nasi Kuning', price: 35_000, quantity: 2 },
  { name: 'Es Jeruk', price: 8_000, quantity: 1 },
];
const newReference = () => `ORDER-${randomBytes(5).toString('hex')}`;

/** An order token as the merchant's backend signs it: now, for ten minutes. */
const orderToken = (claims: Record<string, unknown>) =>
  new SignJWT({ items: ITEMS, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TOKEN_SECRET));

/** The merchant's backend: keeps every webhook event, verified by the standardwebhooks library. */
async function startMerchantBackend() {
  const events: WebhookPayload[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      events.push(new Webhook(WEBHOOK_SECRET).verify(body, req.headers as Record<string, string>) as WebhookPayload);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    /** The event for an invoice's change to `status`, once it arrived (bounded wait). */
    async event(invoice: string, status: string): Promise<WebhookPayload> {
      const find = () => events.find((e) => e.data.invoice_number === invoice && e.data.status === status);
      for (const end = Date.now() + 3000; !find() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
      const found = find();
      assert.ok(found, `no ${status} webhook for ${invoice}`);
      return found;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

for (const [name, database] of Object.entries(DATABASES)) {
  describe(`the merchant's reference over HTTP: ${name}`, () => {
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
          MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET,
        },
        webhook: { pollMs: 20 },
      });
    });
    after(async () => {
      await bff?.close();
      backend?.close();
      await cleanup?.();
    });
    const test = (title: string, fn: (bff: TestBff) => Promise<void>): void =>
      void it(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await fn(bff!);
      });
    const pay = async (b: TestBff, claims: Record<string, unknown>, extra: object = {}) =>
      request(b.url)
        .post('/api/payments')
        .send({ order_token: await orderToken(claims), ...extra });
    const dokuPayments = (b: TestBff) => b.simulator!.payments().length;

    test('ref and metadata reach the order, the status answer, its events and the webhook with the line items', async (b) => {
      const reference = newReference();
      const metadata = { cart_id: 'c-1001', channel: 'web' };
      const res = await pay(
        b,
        { ref: reference, metadata },
        { customer: { name: 'Siti', phone: '+62 812-3456-7890' } },
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const invoice = res.body.invoice_number as string;
      const order = (await b.store.getOrder(invoice))!;
      assert.deepEqual(
        [order.reference, order.metadata, order.lineItems, order.customer],
        [reference, metadata, ITEMS, { name: 'Siti', phone: '081234567890' }],
      );

      const status = await request(b.url)
        .get(`/api/payments/${invoice}`)
        .set('Authorization', `Bearer ${res.body.status_token}`);
      assert.equal(status.body.reference, reference);
      const stream = await openStream(`${b.url}/api/payments/${invoice}/events?token=${res.body.status_token}`);
      assert.equal(JSON.parse((await stream.event(0)).data).reference, reference);

      await b.simulator!.decide(invoice, 'pay');
      const paid = JSON.parse((await stream.event(1)).data);
      assert.deepEqual([paid.status, paid.reference], ['SUCCESS', reference]);
      await stream.ended;
      const event = await backend.event(invoice, 'SUCCESS');
      assert.equal(event.type, 'payment.succeeded');
      assert.deepEqual(event.data, {
        invoice_number: invoice,
        reference,
        metadata,
        amount: 78_000,
        currency: 'IDR',
        status: 'SUCCESS',
        line_items: ITEMS,
        created_at: order.createdAt.toISOString(),
        updated_at: event.data.updated_at,
        duplicate_of: null,
      });
    });

    test('a pending ref gets the same payment back (same invoice and redirect, one DOKU payment), even from a fresh token', async (b) => {
      const reference = newReference();
      const before = dokuPayments(b);
      const first = await pay(b, { ref: reference });
      const again = await pay(b, { ref: reference, metadata: { signed: 'again' } });
      assert.deepEqual([first.status, again.status], [201, 200]);
      assert.equal(again.body.invoice_number, first.body.invoice_number);
      assert.deepEqual(again.body.redirect, first.body.redirect);
      assert.equal(again.body.expires_at, first.body.expires_at);
      assert.equal(dokuPayments(b) - before, 1);
      // Whatever the Idempotency-Key: the reference finds it.
      const keyed = await request(b.url)
        .post('/api/payments')
        .set('Idempotency-Key', 'another-cart-attempt')
        .send({ order_token: await orderToken({ ref: reference }) });
      assert.deepEqual([keyed.status, keyed.body.invoice_number], [200, first.body.invoice_number]);
    });

    test('a paid ref answers 409 already_paid; a failed or expired one gets a new payment', async (b) => {
      const paid = newReference();
      const p = await pay(b, { ref: paid });
      await b.simulator!.decide(p.body.invoice_number, 'pay');
      const refused = await pay(b, { ref: paid });
      assert.deepEqual([refused.status, refused.body.error.code], [409, 'already_paid']);

      const failed = newReference();
      const f = await pay(b, { ref: failed });
      await b.simulator!.decide(f.body.invoice_number, 'cancel');
      const retry = await pay(b, { ref: failed });
      assert.equal(retry.status, 201);
      assert.notEqual(retry.body.invoice_number, f.body.invoice_number);

      const lapsed = newReference();
      const l = await pay(b, { ref: lapsed });
      await agePayment(b.store, l.body.invoice_number, b.config.orderExpiryMs + 1000); // PENDING, past its expiry
      const fresh = await pay(b, { ref: lapsed });
      assert.equal(fresh.status, 201);
      assert.notEqual(fresh.body.invoice_number, l.body.invoice_number);
    });

    test('two payments of one ref both paid (the first after its expiry): the webhook says duplicate_of, an error is logged', async (b) => {
      const reference = newReference();
      const first = (await pay(b, { ref: reference })).body.invoice_number as string;
      await agePayment(b.store, first, b.config.orderExpiryMs + 1000);
      const second = (await pay(b, { ref: reference })).body.invoice_number as string;
      assert.notEqual(second, first);
      await b.simulator!.decide(second, 'pay');
      await b.reconciler.tick(); // asks DOKU about the first once more, then expires it
      assert.equal((await b.store.getOrder(first))!.status, 'EXPIRED');
      await b.simulator!.decide(first, 'pay'); // the customer paid the old one anyway

      const late = await backend.event(first, 'SUCCESS');
      assert.equal(late.data.duplicate_of, second);
      assert.equal(late.data.reference, reference);
      assert.equal((await backend.event(second, 'SUCCESS')).data.duplicate_of, null);
      assert.equal((await backend.event(first, 'EXPIRED')).data.duplicate_of, null, 'only on payment.succeeded');
      const logged = logs.lines.map((l) => JSON.parse(l)).find((l) => l.invoice === first && l.duplicateOf === second);
      assert.equal(logged?.level, 50, 'an error line names both invoices');
      const refused = await pay(b, { ref: reference });
      assert.equal(refused.status, 409);
    });

    test('order tokens without iat, or living over an hour, are refused with 400', async (b) => {
      const sign = (claims: Record<string, unknown>) =>
        new SignJWT({ items: ITEMS, ref: newReference(), ...claims })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(TOKEN_SECRET));
      const now = Math.floor(Date.now() / 1000);
      for (const claims of [{ exp: now + 600 }, { iat: now, exp: now + 3601 }, { iat: now, exp: 4_102_444_800 }]) {
        const res = await request(b.url)
          .post('/api/payments')
          .send({ order_token: await sign(claims) });
        assert.deepEqual([res.status, res.body.error.code], [400, 'invalid_order_token'], JSON.stringify(claims));
      }
    });
  });
}
