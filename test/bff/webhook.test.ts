// Forwarding final results to the merchant's backend, signed, with retries.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createLogger } from '../../bff/log.ts';
import { verifyWebhook, webhookSignature, WebhookForwarder, WEBHOOK_SIGNATURE_HEADER } from '../../bff/webhooks/merchant-webhook.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';

const secret = 'whsec-merchant-0123456789';

describe('verifyWebhook (for merchants)', () => {
  const body = '{"id":"INV-1:1","type":"payment.succeeded"}';
  const now = 1_800_000_000;
  it('accepts a good signature', () => assert.equal(verifyWebhook(body, webhookSignature(secret, now, body), secret, { now }).id, 'INV-1:1'));
  it('refuses a tampered body', () => assert.throws(() => verifyWebhook(body + ' ', webhookSignature(secret, now, body), secret, { now }), /raw request body/));
  it('refuses another secret', () => assert.throws(() => verifyWebhook(body, webhookSignature('other', now, body), secret, { now }), /MERCHANT_WEBHOOK_SECRET/));
  it('refuses an old timestamp', () => assert.throws(() => verifyWebhook(body, webhookSignature(secret, now - 3600, body), secret, { now }), /tolerance/));
  it('refuses a missing or malformed header', () => {
    assert.throws(() => verifyWebhook(body, undefined, secret, { now }), /Missing/);
    assert.throws(() => verifyWebhook(body, 'v1=abc', secret, { now }), /t=<unix seconds>/);
  });
});

describe('merchant webhook delivery', () => {
  const received: Array<{ body: string; signature: string }> = [];
  let failFirst = 0;
  let receiver: ReturnType<typeof createServer>;
  let bff: TestBff;
  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => {
        received.push({ body, signature: String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()]) });
        res.writeHead(failFirst-- > 0 ? 500 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/linkaja`;
    const webhook = new WebhookForwarder({ url, secret, log: createLogger({ level: 'silent' }), backoffMs: [50, 50] });
    bff = await startTestBff({ env: { MERCHANT_WEBHOOK_URL: url, MERCHANT_WEBHOOK_SECRET: secret }, deps: { webhook } });
  });
  after(async () => {
    await bff.close();
    receiver.closeAllConnections();
    receiver.close();
  });

  const waitFor = async (n: number) => {
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(received.length >= n, `expected ${n} deliveries, got ${received.length}`);
  };

  it('forwards a final result once, signed, and retries a failed delivery', async () => {
    received.length = 0;
    failFirst = 1;
    const p = await request(bff.url).post('/api/payments').send({ items: [{ sku: 'rendang', quantity: 1 }] });
    await sendNotification(bff.url, bff.config, { invoice: p.body.invoice_number, amount: 45000, status: 'SUCCESS' });
    // A duplicate and a late FAILED change nothing, so they forward nothing.
    await sendNotification(bff.url, bff.config, { invoice: p.body.invoice_number, amount: 45000, status: 'FAILED' });
    await waitFor(2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, 2, 'one failed attempt, one retry');
    assert.equal(received[0].body, received[1].body);
    const event = verifyWebhook(received[1].body, received[1].signature, secret);
    assert.equal(event.type, 'payment.succeeded');
    assert.deepEqual(event.data, { invoice_number: p.body.invoice_number, amount: 45000, currency: 'IDR', status: 'SUCCESS', updated_at: event.data.updated_at });
    assert.equal(event.id, `${p.body.invoice_number}:1`);
  });
});
