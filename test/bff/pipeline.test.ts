// The request pipeline every route shares (app.ts): access log levels, security headers, body parsing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';

describe('request pipeline', () => {
  let bff: TestBff;
  const logs = capturingLogger('debug');
  before(async () => {
    bff = await startTestBff({ log: logs.log });
  });
  after(() => bff.close());

  async function newPayment() {
    const res = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'kopi-susu', quantity: 1 }] });
    assert.equal(res.status, 201);
    return res.body as { invoice_number: string; status_token: string };
  }
  /** The access line of the request that answered with this X-Request-Id. */
  const accessLine = async (id: string) => {
    await new Promise((r) => setTimeout(r, 20));
    return logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.reqId === id);
  };

  it('logs a status poll answered 200 at debug, and its refusals and other requests at info', async () => {
    const p = await newPayment();
    const poll = (token: string, id: string) =>
      request(bff.url)
        .get(`/api/payments/${p.invoice_number}`)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', id);
    assert.equal((await poll(p.status_token, 'poll-ok')).status, 200);
    assert.equal((await poll('wrong-token', 'poll-wrong')).status, 404);
    const health = await request(bff.url).get('/healthz').set('X-Request-Id', 'health');
    assert.equal(health.status, 200);
    assert.equal((await accessLine('poll-ok'))?.level, 20);
    assert.equal((await accessLine('poll-wrong'))?.level, 30);
    assert.equal((await accessLine('health'))?.level, 30);
  });
});
