// Rate limits on the public routes, per client IP (TRUST_PROXY=1: the X-Forwarded-For address), each
// from the configuration: creating payments and reading status have their own budgets, answered with a
// JSON 429; DOKU's notifications count only when refused, so a validly signed one is never throttled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { loadConfig } from '../../bff/config.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { signedNotification, type NotificationInput } from '../helpers/notify.ts';

describe('rate limits', () => {
  let bff: TestBff;
  const captured = capturingLogger('info');
  before(async () => {
    bff = await startTestBff({
      env: {
        TRUST_PROXY: '1',
        RATE_LIMIT_CREATE_PER_MINUTE: '2',
        RATE_LIMIT_STATUS_PER_MINUTE: '3',
        RATE_LIMIT_REFUSED_NOTIFICATIONS_PER_MINUTE: '2',
      },
      log: captured.log,
    });
  });
  after(() => bff.close());

  const create = (ip: string) =>
    request(bff.url)
      .post('/api/payments')
      .set('X-Forwarded-For', ip)
      .send({ items: [{ sku: 'rendang', quantity: 1 }] });
  /** A notification as DOKU (or someone else) sends it from `ip`; `body` replaces the signed one. */
  async function notify(ip: string, n: NotificationInput, body?: string) {
    const signed = signedNotification(bff.config, n, body);
    const res = await fetch(bff.url + bff.config.notificationPath, {
      method: 'POST',
      headers: { ...signed.headers, 'X-Forwarded-For': ip },
      body: signed.body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  /** A new payment, created from its own address (the budget for creating is not what these tests spend). */
  let customers = 0;
  async function newPayment() {
    const res = await create(`203.0.113.${++customers}`);
    assert.equal(res.status, 201);
    return res.body as { invoice_number: string; amount: number };
  }

  it("defaults to today's limits: 30 creates, 600 status reads, 600 refused notifications a minute per IP", () => {
    assert.deepEqual(loadConfig({}).rateLimits, { create: 30, status: 600, refusedNotifications: 600 });
  });

  it('creating payments: the budget per address, then a JSON 429 with the standard headers', async () => {
    const answers = [await create('198.51.100.1'), await create('198.51.100.1'), await create('198.51.100.1')];
    assert.deepEqual(
      answers.map((r) => r.status),
      [201, 201, 429],
    );
    assert.deepEqual(answers[2].body, {
      error: { code: 'rate_limited', message: 'Too many requests; please slow down.' },
    });
    assert.match(answers[2].get('ratelimit-policy') ?? '', /^2;w=60/);
    assert.match(answers[0].get('ratelimit') ?? '', /^limit=2, remaining=1, reset=(60|59)$/);
    assert.match(answers[2].get('ratelimit') ?? '', /^limit=2, remaining=0, reset=\d+$/);
    assert.match(answers[2].get('retry-after') ?? '', /^\d+$/);
    assert.equal(answers[1].get('retry-after'), undefined);
    assert.equal((await create('198.51.100.2')).status, 201, 'another address has its own budget');
  });

  it('status reads have their own budget', async () => {
    const reads = [];
    for (let i = 0; i < 4; i++)
      reads.push(
        (
          await request(bff.url)
            .get('/api/payments/INV-NONE')
            .set('X-Forwarded-For', '198.51.100.3')
            .set('Authorization', 'Bearer x')
        ).status,
      );
    assert.deepEqual(reads, [404, 404, 404, 429]);
  });

  it('status reads and status streams spend the same budget', async () => {
    const from = (path: string) =>
      request(bff.url).get(path).set('X-Forwarded-For', '198.51.100.4').set('Authorization', 'Bearer x');
    const answers = [
      await from('/api/payments/INV-NONE'),
      await from('/api/payments/INV-NONE/events'),
      await from('/api/payments/INV-NONE'),
      await from('/api/payments/INV-NONE'),
    ];
    assert.deepEqual(
      answers.map((r) => r.status),
      [404, 404, 404, 429],
    );
    assert.match(answers[0].get('ratelimit-policy') ?? '', /^3;w=60/);
  });

  it('validly signed notifications are never throttled, however many come from one address', async () => {
    const doku = '192.0.2.10';
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const p = await newPayment();
      statuses.push((await notify(doku, { invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' })).status);
      // A repeat, and one about an invoice this BFF does not know: signed, so neither counts either.
      statuses.push((await notify(doku, { invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' })).status);
      statuses.push((await notify(doku, { invoice: 'INV-UNKNOWN', amount: 1000, status: 'SUCCESS' })).status);
    }
    assert.deepEqual(statuses, Array(5).fill([200, 200, 404]).flat());
  });

  it('refused notifications count: past the limit an address gets 429 before anything is read; DOKU is not affected', async () => {
    const attacker = '198.51.100.66';
    const p = await newPayment();
    const paid = { invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS' };
    const refusedBefore = captured.lines.filter((l) => l.includes('notification refused')).length;
    const badSignature = await notify(attacker, { ...paid, secretKey: 'SK-not-the-merchants-key' });
    const notJson = await notify(attacker, paid, 'this is not json');
    assert.deepEqual([badSignature.status, notJson.status], [401, 400]);
    // Over the limit: even a correctly signed notification from there is refused unread.
    const blocked = [await notify(attacker, { ...paid, secretKey: 'SK-wrong' }), await notify(attacker, paid)];
    assert.deepEqual(
      blocked.map((r) => r.status),
      [429, 429],
    );
    assert.deepEqual(blocked[1].body, {
      error: { code: 'rate_limited', message: 'Too many requests; please slow down.' },
    });
    const refusedAfter = captured.lines.filter((l) => l.includes('notification refused')).length;
    assert.equal(refusedAfter - refusedBefore, 1, 'only the first bad signature was verified (and logged)');
    assert.equal((await bff.store.getOrder(p.invoice_number))!.status, 'PENDING');
    assert.deepEqual(await bff.store.listInbox(p.invoice_number), []);
    // DOKU, from its own address, is heard.
    assert.equal((await notify('192.0.2.11', paid)).status, 200);
    assert.equal((await bff.store.getOrder(p.invoice_number))!.status, 'SUCCESS');
  });

  it('health checks are never limited', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await request(bff.url).get('/healthz').set('X-Forwarded-For', '198.51.100.9')).status, 200);
  });
});
