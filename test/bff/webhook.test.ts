// Forwarding final results to the merchant's backend, signed, with retries.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { createLogger } from '../../bff/log.ts';
import { verifyWebhook, WebhookVerificationError } from '../../bff/webhook.ts';
import { newWebhookSecret, webhookSecretProblem } from '../../bff/webhooks/standard-webhooks.ts';
import type { WebhookPayload } from '../../shared/server-api.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** What the standardwebhooks library itself (not our code) says about a delivery. */
const libraryVerify = (body: string, headers: IncomingHttpHeaders) =>
  new Webhook(secret).verify(body, headers as Record<string, string>) as WebhookPayload;

describe('verifyWebhook (for merchants): Standard Webhooks, signed by the standardwebhooks library', () => {
  const body = '{"type":"payment.succeeded","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
  const signed = (opts: { key?: string; at?: Date; id?: string } = {}) => {
    const at = opts.at ?? new Date();
    const id = opts.id ?? 'msg_INV-1_1';
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(opts.key ?? secret).sign(id, at, body),
    };
  };
  const refused = (fn: () => unknown, reason: string) =>
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof WebhookVerificationError, String(err));
      assert.equal(err.reason, reason);
      assert.ok(
        !JSON.stringify({ ...err, message: err.message }).includes(secret),
        'the error never carries the secret',
      );
      return true;
    });

  it('accepts a good signature, with headers in any case, from a string or a Buffer', () => {
    assert.equal(verifyWebhook(body, signed(), secret).type, 'payment.succeeded');
    const upper = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    assert.equal(verifyWebhook(Buffer.from(body), upper, secret).type, 'payment.succeeded');
  });
  it('refuses a tampered body, another secret, an old timestamp', () => {
    refused(() => verifyWebhook(body + ' ', signed(), secret), 'signature_mismatch');
    refused(() => verifyWebhook(body, signed({ key: newWebhookSecret() }), secret), 'signature_mismatch');
    refused(() => verifyWebhook(body, { ...signed(), 'webhook-id': 'msg_other' }, secret), 'signature_mismatch');
    refused(
      () => verifyWebhook(body, signed({ at: new Date(Date.now() - 3600_000) }), secret),
      'timestamp_outside_tolerance',
    );
  });
  it('says which mistake: a missing header, a bad timestamp, a parsed body, a bad or untrimmed secret', () => {
    const { 'webhook-signature': _, ...unsigned } = signed();
    refused(() => verifyWebhook(body, unsigned, secret), 'missing_header');
    refused(() => verifyWebhook(body, { ...signed(), 'webhook-timestamp': 'yesterday' }, secret), 'malformed_header');
    refused(() => verifyWebhook(JSON.parse(body) as string, signed(), secret), 'payload_not_raw');
    refused(() => verifyWebhook(body, signed(), 'a-plain-password-of-enough-length'), 'invalid_secret');
    refused(() => verifyWebhook(body, signed(), `${secret}\n`), 'invalid_secret');
  });
  it('makes secrets the configuration takes, and refuses others with how to make one', () => {
    assert.equal(webhookSecretProblem(newWebhookSecret()), null);
    for (const bad of ['whsec-merchant-0123456789', `whsec_${Buffer.alloc(8).toString('base64')}`, 'whsec_!!!!'])
      assert.match(String(webhookSecretProblem(bad)), /linkaja-pay webhooks secret/);
  });
});

const paySuccess = async (bff: TestBff) => {
  const p = await request(bff.url)
    .post('/api/payments')
    .send({ items: [{ sku: 'rendang', quantity: 1 }] });
  assert.equal(p.status, 201);
  const n = await sendNotification(bff.url, bff.config, {
    invoice: p.body.invoice_number,
    amount: 45000,
    status: 'SUCCESS',
  });
  assert.equal(n.status, 200);
  return p.body.invoice_number as string;
};

describe('merchant webhook delivery', () => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-webhook-'));
  const env = () => ({ MERCHANT_WEBHOOK_URL: receiver.url, MERCHANT_WEBHOOK_SECRET: secret });
  before(async () => (receiver = await startWebhookReceiver()));
  after(() => {
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards a final result once, signed, and retries a failed delivery', async () => {
    receiver.received.length = 0;
    let failures = 1;
    receiver.answerWith(() => (failures-- > 0 ? 500 : 200));
    const bff = await startTestBff({ env: env(), webhook: { backoffMs: [50, 50], pollMs: 20 } });
    try {
      const invoice = await paySuccess(bff);
      // A late FAILED changes nothing, so it forwards nothing.
      await sendNotification(bff.url, bff.config, { invoice, amount: 45000, status: 'FAILED' });
      await receiver.waitFor(2);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        receiver.received.map((r) => r.status),
        [500, 200],
        'one failed attempt, one retry, nothing after',
      );
      assert.equal(receiver.received[0].body, receiver.received[1].body);
      const [first, retry] = receiver.received;
      assert.equal(retry.headers['webhook-id'], first.headers['webhook-id'], 'one webhook-id across attempts');
      assert.equal(retry.headers['webhook-id'], `msg_${invoice}_1`);
      assert.match(String(retry.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
      const event = libraryVerify(retry.body, retry.headers);
      assert.equal(event.type, 'payment.succeeded');
      assert.equal(event.timestamp, event.data.updated_at);
      assert.deepEqual(event.data, {
        invoice_number: invoice,
        reference: null,
        metadata: {},
        amount: 45000,
        currency: 'IDR',
        status: 'SUCCESS',
        line_items: [{ name: 'Rendang Sapi', price: 45000, quantity: 1 }],
        created_at: event.data.created_at,
        updated_at: event.data.updated_at,
        duplicate_of: null,
      });
    } finally {
      await bff.close();
    }
  });

  it('gives up after the last retry, and says so in the log', async () => {
    receiver.received.length = 0;
    receiver.answerWith(() => 503);
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const bff = await startTestBff({ env: env(), log, webhook: { backoffMs: [20, 20], pollMs: 10 } });
    try {
      await paySuccess(bff);
      await receiver.waitFor(3);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.received.length, 3, 'the first attempt and two retries, then no more');
      assert.ok(
        lines.some((l) => l.includes('merchant webhook gave up')),
        'the give-up is logged',
      );
      assert.ok(!lines.some((l) => l.includes(secret)), 'the webhook secret is never logged');
    } finally {
      await bff.close();
    }
  });

  it('survives a restart: a delivery still owed is sent by the next process on the same database', async () => {
    receiver.received.length = 0;
    receiver.answerWith(() => 503); // the merchant's backend is down
    const databaseUrl = `sqlite:${join(dir, 'orders.db')}`;
    const first = await startTestBff({
      env: { ...env(), DATABASE_URL: databaseUrl },
      webhook: { backoffMs: [1000], pollMs: 10 },
    });
    const invoice = await paySuccess(first);
    await receiver.waitFor(1);
    await first.close(); // the process stops with its retry still owed
    assert.ok(
      receiver.received.every((r) => r.status === 503),
      'nothing was delivered by the first process',
    );

    receiver.answerWith(() => 200); // the backend is back; so is the BFF
    const attemptsBefore = receiver.received.length;
    const second = await startTestBff({ env: { ...env(), DATABASE_URL: databaseUrl }, webhook: { pollMs: 10 } });
    try {
      await receiver.waitFor(attemptsBefore + 1);
      await new Promise((r) => setTimeout(r, 100));
      const delivered = receiver.received.filter((r) => r.status === 200);
      assert.equal(delivered.length, 1, 'delivered once, by the second process');
      assert.equal(delivered[0].headers['webhook-id'], `msg_${invoice}_1`);
      assert.equal(libraryVerify(delivered[0].body, delivered[0].headers).data.invoice_number, invoice);
    } finally {
      await second.close();
    }
  });
});
