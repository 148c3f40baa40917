// Rate limits on the public routes: each route has its own budget per client IP, answered with a
// JSON 429, and the widget's traffic never spends the budget DOKU's notifications need.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { sendNotification } from '../helpers/notify.ts';

describe('rate limits', () => {
  let bff: TestBff;
  before(async () => (bff = await startTestBff({ deps: { rateLimits: { create: 2, status: 3, notifications: 2 } } })));
  after(() => bff.close());

  const create = () =>
    request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'rendang', quantity: 1 }] });

  it('creating payments: the budget, then a JSON 429 with the standard headers', async () => {
    const answers = [await create(), await create(), await create()];
    assert.deepEqual(
      answers.map((r) => r.status),
      [201, 201, 429],
    );
    assert.deepEqual(answers[2].body, {
      error: { code: 'rate_limited', message: 'Too many requests; please slow down.' },
    });
    assert.match(answers[2].get('ratelimit-policy') ?? '', /^2;w=60/);
  });

  it('status reads have their own budget, and none of it is spent on notifications', async () => {
    const reads = [];
    for (let i = 0; i < 4; i++)
      reads.push((await request(bff.url).get('/api/payments/INV-NONE').set('Authorization', 'Bearer x')).status);
    assert.deepEqual(reads, [404, 404, 404, 429]);
    // The widget's traffic above spent nothing of DOKU's budget: both notifications are heard.
    const invoice = 'INV-UNKNOWN';
    const n1 = await sendNotification(bff.url, bff.config, { invoice, amount: 1000, status: 'SUCCESS' });
    const n2 = await sendNotification(bff.url, bff.config, { invoice, amount: 1000, status: 'SUCCESS' });
    assert.deepEqual([n1.status, n2.status], [404, 404], 'unknown invoice, recorded: not rate limited');
    const n3 = await sendNotification(bff.url, bff.config, { invoice, amount: 1000, status: 'SUCCESS' });
    assert.equal(n3.status, 429);
  });

  it('health checks are never limited', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await request(bff.url).get('/healthz')).status, 200);
  });
});
