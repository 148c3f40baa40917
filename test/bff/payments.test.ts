// POST /api/payments through real HTTP: the BFF, a real SQLite file and the embedded simulator.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { CreatePaymentResponse } from '../../shared/api.ts';
import { hashReadToken } from '../../bff/orders/read-tokens.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';

describe('POST /api/payments', () => {
  let bff: TestBff;
  let origin: string;
  before(async () => {
    bff = await startTestBff();
    origin = bff.url;
  });
  after(() => bff.close());
  const post = (body: unknown, o = origin) =>
    request(bff.url)
      .post('/api/payments')
      .set('Origin', o)
      .send(body as object);

  it('creates a signed payment priced on the server and answers 201 with the redirect', async () => {
    const res = await post({ items: [{ sku: 'nasi-goreng', quantity: 2, price: 1 }], amount: 1 });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const body = CreatePaymentResponse.parse(res.body);
    assert.equal(body.amount, 55000); // 2 x 27.500 from the catalog; the browser's price and amount are ignored
    assert.equal(body.currency, 'IDR');
    assert.equal(body.status, 'PENDING');
    assert.equal(body.redirect.method, 'POST');
    assert.equal(body.redirect.url, `${bff.url}/simulator/linkaja/pay`);
    assert.deepEqual(
      body.redirect.parameters.map((p) => p.name),
      ['Message'],
    );
    assert.ok(body.invoice_number.length <= 64);
    assert.ok(Date.parse(body.expires_at) > Date.now());
    assert.equal(res.get('cache-control'), 'no-store');

    const order = await bff.store.getOrder(body.invoice_number);
    assert.ok(order);
    assert.equal(order.amount, 55000);
    assert.equal(order.gatewayState, 'accepted');
    const { tokens } = (await bff.store.getOrderWithTokens(body.invoice_number))!;
    assert.ok(tokens.some((t) => t.kind === 'status' && t.hash === hashReadToken(body.status_token)));
    assert.ok(
      !JSON.stringify([order, tokens]).includes(body.status_token),
      'the status token is stored only as a hash',
    );
    assert.equal(order.returnUrl, `${origin}/`);
    assert.deepEqual(order.lineItems, [{ name: 'Nasi Goreng Spesial', price: 27500, quantity: 2 }]);
    // The simulator (as strict as DOKU) accepted the signed request with our notification URL.
    const simulated = bff.simulator!.payment(body.invoice_number);
    assert.ok(simulated);
  });

  it('makes a unique invoice number per payment', async () => {
    const invoices = new Set<string>();
    for (let i = 0; i < 5; i++)
      invoices.add((await post({ items: [{ sku: 'es-teh-manis', quantity: 1 }] })).body.invoice_number);
    assert.equal(invoices.size, 5);
  });

  it('uses a return_url on an allowed origin as DOKU callback_url', async () => {
    const res = await post({ items: [{ sku: 'rendang', quantity: 1 }], return_url: `${origin}/shop?x=1` });
    assert.equal(res.status, 201);
    assert.equal((await bff.store.getOrder(res.body.invoice_number))!.returnUrl, `${origin}/shop?x=1`);
  });

  // The message names what to fix (a fourth column where it matters).
  const refused: Array<[string, unknown, number, string, RegExp?]> = [
    ['an unknown SKU', { items: [{ sku: 'sushi', quantity: 1 }] }, 400, 'unknown_sku'],
    ['quantity 0', { items: [{ sku: 'rendang', quantity: 0 }] }, 400, 'invalid_request'],
    ['quantity 100', { items: [{ sku: 'rendang', quantity: 100 }] }, 400, 'invalid_request'],
    [
      'a fractional quantity',
      { items: [{ sku: 'rendang', quantity: 1.5 }] },
      400,
      'invalid_request',
      /^Invalid request body: items\.0\.quantity .*int/,
    ],
    [
      'a quantity as a string',
      { items: [{ sku: 'rendang', quantity: '2' }] },
      400,
      'invalid_request',
      /items\.0\.quantity .*expected number/,
    ],
    [
      '51 lines',
      { items: Array.from({ length: 51 }, () => ({ sku: 'rendang', quantity: 1 })) },
      400,
      'invalid_request',
    ],
    ['no items', { items: [] }, 400, 'invalid_request'],
    ['an empty body', {}, 400, 'invalid_request', /send either items: \[\{sku, quantity\}\] or order_token/],
    [
      'an order token that is not a string',
      { order_token: 5 },
      400,
      'invalid_request',
      /order_token .*expected string/,
    ],
    [
      'items and order_token together',
      { items: [{ sku: 'rendang', quantity: 1 }], order_token: 'x' },
      400,
      'invalid_request',
      /not both/,
    ],
    [
      'a return_url on another origin',
      { items: [{ sku: 'rendang', quantity: 1 }], return_url: 'https://evil.example/' },
      400,
      'return_url_not_allowed',
    ],
    [
      'a javascript: return_url',
      { items: [{ sku: 'rendang', quantity: 1 }], return_url: 'javascript:alert(1)' },
      400,
      'invalid_request',
    ],
    ['an order token without ORDER_TOKEN_SECRET', { order_token: 'a.b.c' }, 400, 'order_source_unavailable'],
    [
      'a phone number longer than DOKU takes',
      { items: [{ sku: 'rendang', quantity: 1 }], customer: { phone: '+62 8123 4567 8901 2345' } },
      400,
      'invalid_request',
      /customer\.phone/,
    ],
  ];
  for (const [what, body, status, code, message] of refused) {
    it(`refuses ${what} with ${status} ${code}`, async () => {
      const res = await post(body);
      assert.equal(res.status, status);
      assert.equal(res.body.error.code, code);
      assert.equal(typeof res.body.error.message, 'string');
      if (message) assert.match(res.body.error.message, message);
    });
  }

  it('refuses malformed JSON, a non-JSON body and a body over the limit with 4xx JSON errors', async () => {
    const bad = await request(bff.url)
      .post('/api/payments')
      .set('Origin', origin)
      .set('Content-Type', 'application/json')
      .send('{"items":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_request');
    const text = await request(bff.url)
      .post('/api/payments')
      .set('Origin', origin)
      .set('Content-Type', 'text/plain')
      .send('items=1');
    assert.equal(text.status, 415);
    assert.match(text.body.error.message, /Content-Type: application\/json/);
    const big = await post({ items: [{ sku: 'rendang', quantity: 1 }], customer: { name: 'x'.repeat(20_000) } });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'payload_too_large');
    for (const r of [bad, text, big]) assert.ok(!/at .*\.ts:\d+/.test(JSON.stringify(r.body)), 'no stack trace');
  });

  it('answers CORS for allowed origins only, and refuses other origins with 403', async () => {
    const pre = await request(bff.url)
      .options('/api/payments')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST');
    assert.equal(pre.get('access-control-allow-origin'), origin);
    const evil = await post({ items: [{ sku: 'rendang', quantity: 1 }] }, 'https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'origin_not_allowed');
    assert.equal(evil.get('access-control-allow-origin'), undefined);
  });

  it('sets security headers (helmet)', async () => {
    const res = await request(bff.url).get('/healthz');
    assert.equal(res.get('x-content-type-options'), 'nosniff');
    assert.ok(res.get('content-security-policy'));
    assert.equal(res.get('x-powered-by'), undefined);
  });
});

describe('POST /api/payments with a catalog file and order tokens', () => {
  let bff: TestBff;
  const secret = 'merchant-order-token-secret-0123456789';
  before(async () => {
    const file = join(tmpdir(), `catalog-${process.pid}.json`);
    writeFileSync(file, JSON.stringify([{ sku: 'emas', name: 'Emas Antam 10 g', price: 6_000_000 }]));
    bff = await startTestBff({ env: { CATALOG_FILE: file, ORDER_TOKEN_SECRET: secret } });
  });
  after(() => bff.close());

  it('refuses an amount over the limit', async () => {
    const res = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'emas', quantity: 2 }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'amount_too_large');
  });
  it('prices from the catalog file', async () => {
    const res = await request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'emas', quantity: 1 }] });
    assert.equal(res.status, 201);
    assert.equal(res.body.amount, 6_000_000);
  });
  it('prices from a signed order token', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ items: [{ name: 'Paket Keluarga', price: 125000, quantity: 1 }] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    const res = await request(bff.url).post('/api/payments').send({ order_token: token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.amount, 125000);
  });
  it('refuses an expired order token with 400 invalid_order_token, saying it expired', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ items: [{ name: 'Paket Keluarga', price: 125000, quantity: 1 }] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    const res = await request(bff.url).post('/api/payments').send({ order_token: token });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: { code: 'invalid_order_token', message: 'The order token has expired.' } });
  });
});
