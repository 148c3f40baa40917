// The request pipeline every route shares (app.ts): access log levels, security headers, body parsing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { API_SECURITY_HEADERS } from '../../bff/http/security-headers.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { signedNotification } from '../helpers/notify.ts';
import { newPayment as createPayment } from '../helpers/payments.ts';

describe('request pipeline', () => {
  let bff: TestBff;
  const logs = capturingLogger('debug');
  before(async () => {
    bff = await startTestBff({ log: logs.log });
  });
  after(() => bff.close());

  const newPayment = () => createPayment(bff.url);
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

  it('logs a stored notification once at info (what it changed), its access line at debug; a refused one at info', async () => {
    const p = await newPayment();
    const send = async (id: string, secretKey?: string) => {
      const n = { invoice: p.invoice_number, amount: p.amount, status: 'SUCCESS', secretKey };
      const signed = signedNotification(bff.config, n);
      const res = await fetch(bff.url + bff.config.notificationPath, {
        method: 'POST',
        headers: { ...signed.headers, 'X-Request-Id': id },
        body: signed.body,
      });
      return res.status;
    };
    assert.equal(await send('notif-forged', 'SK-not-the-merchants-key-0123456789'), 401);
    assert.equal(await send('notif-ok'), 200);
    assert.equal((await accessLine('notif-ok'))?.level, 20);
    assert.equal((await accessLine('notif-forged'))?.level, 30);
    const changed = logs.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'order status changed' && l.invoice === p.invoice_number);
    assert.deepEqual(
      changed.map((l) => [l.level, l.to]),
      [[30, 'SUCCESS']],
    );
  });

  it('answers JSON with the fixed security headers, and the HTML pages with the full helmet set', async () => {
    const p = await newPayment();
    const json = await request(bff.url)
      .get(`/api/payments/${p.invoice_number}`)
      .set('Authorization', `Bearer ${p.status_token}`);
    const missing = await request(bff.url).get('/api/payments/INV-NOPE').set('Authorization', 'Bearer x');
    for (const res of [json, missing, await request(bff.url).get('/healthz')]) {
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) assert.equal(res.get(name), value, name);
      // Document-only headers mean nothing on JSON.
      assert.equal(res.get('cross-origin-opener-policy'), undefined);
      assert.equal(res.get('x-xss-protection'), undefined);
    }
    const page = await request(bff.url).get('/');
    assert.equal(page.status, 200);
    assert.match(page.get('content-type') ?? '', /^text\/html/);
    assert.match(page.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(page.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(page.get('x-content-type-options'), 'nosniff');
    const simulatorPage = await request(bff.url).get('/simulator/');
    assert.equal(simulatorPage.get('cross-origin-opener-policy'), 'same-origin');
  });

  it('answers a status read as no-store JSON without an ETag (no cache may keep it)', async () => {
    const p = await newPayment();
    const res = await request(bff.url)
      .get(`/api/payments/${p.invoice_number}`)
      .set('Authorization', `Bearer ${p.status_token}`);
    assert.equal(res.status, 200);
    assert.equal(res.get('cache-control'), 'no-store');
    assert.equal(res.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(Number(res.get('content-length')), Buffer.byteLength(res.text));
    assert.equal(res.get('etag'), undefined);
    assert.equal(res.body.invoice_number, p.invoice_number);
    const head = await request(bff.url)
      .head(`/api/payments/${p.invoice_number}`)
      .set('Authorization', `Bearer ${p.status_token}`);
    assert.equal(head.status, 200);
    assert.equal(head.get('content-length'), res.get('content-length'));
  });

  it('guards the status route like the rest of the widget API: CORS for allowed origins, 403 for others', async () => {
    const p = await newPayment();
    const read = (origin: string) =>
      request(bff.url)
        .get(`/api/payments/${p.invoice_number}`)
        .set('Authorization', `Bearer ${p.status_token}`)
        .set('Origin', origin);
    const allowed = await read(bff.config.allowedOrigins[0]);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.get('access-control-allow-origin'), bff.config.allowedOrigins[0]);
    const evil = await read('https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'origin_not_allowed');
    assert.equal(evil.get('access-control-allow-origin'), undefined);
  });
});
