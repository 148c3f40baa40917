// Forwarding final results to the merchant's backend, signed, with retries.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createLogger } from '../../bff/log.ts';
import {
  verifyWebhook,
  WebhookVerificationError,
  webhookSignature,
  type WebhookVerificationReason,
} from '../../bff/webhooks/merchant-webhook.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const secret = 'whsec-merchant-0123456789abcdef012345';

describe('verifyWebhook (for merchants)', () => {
  const body = '{"id":"INV-1:1","type":"payment.succeeded"}';
  const now = 1_800_000_000;
  it('accepts a good signature', () =>
    assert.equal(verifyWebhook(body, webhookSignature(secret, now, body), secret, { now }).id, 'INV-1:1'));
  it('refuses a tampered body', () =>
    assert.throws(
      () => verifyWebhook(body + ' ', webhookSignature(secret, now, body), secret, { now }),
      /raw request body/,
    ));
  it('refuses another secret', () =>
    assert.throws(
      () => verifyWebhook(body, webhookSignature('other', now, body), secret, { now }),
      /MERCHANT_WEBHOOK_SECRET/,
    ));
  it('refuses an old timestamp', () =>
    assert.throws(() => verifyWebhook(body, webhookSignature(secret, now - 3600, body), secret, { now }), /tolerance/));
  it('refuses a missing or malformed header', () => {
    assert.throws(() => verifyWebhook(body, undefined, secret, { now }), /Missing/);
    assert.throws(() => verifyWebhook(body, 'v1=abc', secret, { now }), /t=<unix seconds>/);
  });
  it('accepts the raw body as a Buffer too', () =>
    assert.equal(verifyWebhook(Buffer.from(body), webhookSignature(secret, now, body), secret, { now }).id, 'INV-1:1'));

  /** The reason of the WebhookVerificationError that `verify` throws; it must never carry the secret. */
  const reasonOf = (verify: () => unknown): WebhookVerificationReason => {
    try {
      verify();
    } catch (e) {
      assert.ok(e instanceof WebhookVerificationError, `a WebhookVerificationError, not ${String(e)}`);
      assert.equal(e.name, 'WebhookVerificationError');
      assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(secret), 'the secret is not in the error');
      return e.reason;
    }
    assert.fail('expected a WebhookVerificationError');
  };
  const good = webhookSignature(secret, now, body);
  it('says why with a typed reason, and carries the header and payload for the log', () => {
    assert.equal(
      reasonOf(() => verifyWebhook(body, undefined, secret, { now })),
      'missing_header',
    );
    assert.equal(
      reasonOf(() => verifyWebhook(body, 'v1=abc', secret, { now })),
      'malformed_header',
    );
    assert.equal(
      reasonOf(() => verifyWebhook(body, webhookSignature(secret, now - 3600, body), secret, { now })),
      'timestamp_outside_tolerance',
    );
    assert.equal(
      reasonOf(() => verifyWebhook(body + ' ', good, secret, { now })),
      'signature_mismatch',
    );
    // The commonest mistake: the body parsed by a JSON middleware instead of the raw bytes.
    assert.equal(
      reasonOf(() => verifyWebhook(JSON.parse(body) as string, good, secret, { now })),
      'payload_not_raw',
    );
    assert.throws(
      () => verifyWebhook(body, good, `x${secret.slice(1)}`, { now }),
      (e) => e instanceof WebhookVerificationError && e.header === good && e.payload === body,
    );
  });
  it('refuses an empty, short or padded secret, whatever the signature', () => {
    for (const weak of ['', 'short', 'x'.repeat(31), ` ${secret}`, `${secret}\n`]) {
      assert.equal(
        reasonOf(() => verifyWebhook(body, webhookSignature(weak, now, body), weak, { now })),
        'invalid_secret',
        JSON.stringify(weak),
      );
    }
  });
  it('refuses an unbounded or senseless tolerance', () => {
    for (const toleranceSeconds of [Infinity, NaN, 0, -1, 1.5, 3601, Number.MAX_SAFE_INTEGER]) {
      assert.equal(
        reasonOf(() => verifyWebhook(body, good, secret, { now, toleranceSeconds })),
        'invalid_tolerance',
        String(toleranceSeconds),
      );
    }
    assert.equal(verifyWebhook(body, good, secret, { now: now + 3600, toleranceSeconds: 3600 }).id, 'INV-1:1');
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
      const event = verifyWebhook(receiver.received[1].body, receiver.received[1].signature, secret);
      assert.equal(event.type, 'payment.succeeded');
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
      assert.equal(event.id, `${invoice}:1`);
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
      assert.equal(verifyWebhook(delivered[0].body, delivered[0].signature, secret).id, `${invoice}:1`);
    } finally {
      await second.close();
    }
  });
});
