// The DOKU client as the BFF uses it, against a scripted DOKU: signing of the very bytes sent,
// Request-Id reuse on retries, and every way an answer can fail its checks.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { DOKU_TIMESTAMP_RE } from '../../bff/doku/signature.ts';
import { verifyDokuSignature } from '../../bff/doku/verify.ts';
import { DEMO_CATALOG_FILE } from '../../bff/orders/sources.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { paymentAnswer, startFakeDoku, type Script } from '../helpers/fake-doku.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { sendNotification } from '../helpers/notify.ts';
import { openStream } from '../helpers/sse.ts';

const clientId = 'BRN-0001-1234567890123';
const secretKey = 'SK-gateway-test-secret-0001';

describe('DOKU client against a scripted DOKU', () => {
  let script: Script;
  let doku: Awaited<ReturnType<typeof startFakeDoku>>;
  let bff: TestBff;
  const logs = capturingLogger();
  before(async () => {
    doku = await startFakeDoku({ clientId, secretKey, script: (r, n) => script(r, n) });
    bff = await startTestBff({
      log: logs.log,
      env: {
        ...doku.env,
        DOKU_TIMEOUT_MS: '500',
        LOG_LEVEL: 'debug',
      },
    });
  });
  after(async () => {
    await bff.close();
    await doku.close();
  });
  beforeEach(() => {
    doku.requests.length = 0;
    script = (r) => ({ status: 200, body: paymentAnswer(r.body) });
  });
  const pay = () =>
    request(bff.url)
      .post('/api/payments')
      .send({ items: [{ sku: 'sate-ayam', quantity: 3 }] });

  it('signs the exact bytes it sends, with DOKU headers and timestamp format', async () => {
    const res = await pay();
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const [r] = doku.requests;
    assert.equal(r.path, '/linkaja-emoney/v2/ServiceRequestPayment');
    assert.match(String(r.headers['request-timestamp']), DOKU_TIMESTAMP_RE);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['client-id'], clientId);
    verifyDokuSignature({ headers: r.headers, rawBody: r.body, target: r.path, clientId, secretKey });
    const sent = JSON.parse(r.body);
    assert.equal(sent.order.amount, 96000);
    const callback = new URL(sent.order.callback_url);
    assert.equal(callback.origin + callback.pathname, `${bff.url}/`);
    assert.deepEqual([...callback.searchParams.keys()], ['linkaja_invoice', 'linkaja_token']);
    assert.equal(sent.additional_info.override_notification_url, `${bff.url}/api/notifications/doku`);
    assert.deepEqual(sent.order.line_items, [{ name: 'Sate Ayam (10 tusuk)', price: 32000, quantity: 3 }]);
    const order = await bff.store.getOrder(res.body.invoice_number);
    assert.equal(order!.requestId, r.headers['request-id']);
  });

  it('uses a fresh Request-Id per payment', async () => {
    await pay();
    await pay();
    assert.notEqual(doku.requests[0].headers['request-id'], doku.requests[1].headers['request-id']);
  });

  it('retries a 5xx with the same Request-Id and the same bytes', async () => {
    script = (r, n) =>
      n === 1
        ? { status: 503, body: { error: { code: 'busy', message: 'try later' } } }
        : { status: 200, body: paymentAnswer(r.body) };
    const res = await pay();
    assert.equal(res.status, 201);
    assert.equal(doku.requests.length, 2);
    assert.equal(doku.requests[0].headers['request-id'], doku.requests[1].headers['request-id']);
    assert.equal(doku.requests[0].body, doku.requests[1].body);
  });

  it('takes a 409 carrying the payment body as that payment', async () => {
    script = (r) => ({ status: 409, body: paymentAnswer(r.body) });
    const res = await pay();
    assert.equal(res.status, 201);
    assert.equal((await bff.store.getOrder(res.body.invoice_number))!.gatewayState, 'accepted');
  });

  it('accepts an answer signed without the Digest line', async () => {
    // DOKU may sign its answer without the Digest line (doku-protocol.md): sign one that way by hand.
    const { signatureHeader, textToSign } = await import('../../bff/doku/signature.ts');
    const { createServer } = await import('node:http');
    const srv = createServer((req, res) => {
      let body = '';
      req
        .on('data', (c) => (body += c))
        .on('end', () => {
          const answer = JSON.stringify(paymentAnswer(body));
          const ts = '2024-05-01T03:04:05Z';
          const rid = String(req.headers['request-id']);
          const sig = signatureHeader(
            secretKey,
            textToSign({
              clientId,
              requestId: rid,
              timestamp: ts,
              target: req.url!,
              timestampLabel: 'Response-Timestamp',
            }),
          );
          res
            .writeHead(200, {
              'Client-Id': clientId,
              'Request-Id': rid,
              'Response-Timestamp': ts,
              Signature: sig,
              'Content-Type': 'application/json',
            })
            .end(answer);
        });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const other = await startTestBff({
      env: {
        DOKU_ENV: 'sandbox',
        CATALOG_FILE: DEMO_CATALOG_FILE,
        DOKU_BASE_URL: `http://127.0.0.1:${(srv.address() as { port: number }).port}`,
        DOKU_CLIENT_ID: clientId,
        DOKU_SECRET_KEY: secretKey,
      },
    });
    try {
      const res = await request(other.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'rendang', quantity: 1 }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    } finally {
      await other.close();
      srv.close();
    }
  });

  const failures: Array<[string, Script, number, string, string]> = [
    [
      'a wrongly signed answer',
      (r) => ({ status: 200, body: paymentAnswer(r.body), sign: 'wrong-secret' }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'an unsigned answer',
      (r) => ({ status: 200, body: paymentAnswer(r.body), sign: 'none' }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'an amount that is a number, not a string',
      (r) => ({
        status: 200,
        body: {
          ...paymentAnswer(r.body),
          order: { invoice_number: JSON.parse(r.body).order.invoice_number, amount: 96000 },
        },
      }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'an answer for another amount',
      (r) => ({
        status: 200,
        body: {
          ...paymentAnswer(r.body),
          order: { invoice_number: JSON.parse(r.body).order.invoice_number, amount: '1.00' },
        },
      }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'a redirect URL that is not http(s)',
      (r) => ({
        status: 200,
        body: {
          ...paymentAnswer(r.body),
          emoney_payment: { ...paymentAnswer(r.body).emoney_payment, redirect_url_http: 'javascript:alert(1)' },
        },
      }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'a GET redirect (the LinkAja Message would land in URLs and Referers)',
      (r) => ({
        status: 200,
        body: {
          ...paymentAnswer(r.body),
          emoney_payment: { ...paymentAnswer(r.body).emoney_payment, redirect_method_http: 'GET' },
        },
      }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'a plain http redirect URL',
      (r) => ({
        status: 200,
        body: {
          ...paymentAnswer(r.body),
          emoney_payment: {
            ...paymentAnswer(r.body).emoney_payment,
            redirect_url_http: 'http://linkaja.example/redirectPostToPost',
          },
        },
      }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'a 409 without a payment body',
      () => ({ status: 409, body: { error: { code: 'duplicate', message: 'Duplicate', type: 'x' } } }),
      502,
      'gateway_error',
      'rejected',
    ],
    [
      'a refusal (400)',
      () => ({
        status: 400,
        body: { error: { code: 'invalid_parameter', message: 'bad', type: 'invalid_request_error' } },
      }),
      502,
      'gateway_error',
      'rejected',
    ],
    [
      // DOKU's API never redirects: a wrong DOKU_BASE_URL does; nothing is known of the payment.
      'an HTTP redirect (301)',
      () => ({ status: 301, body: {} }),
      502,
      'gateway_error',
      'requested',
    ],
    [
      'no answer in time',
      (r) => ({ status: 200, body: paymentAnswer(r.body), delayMs: 2000 }),
      504,
      'gateway_timeout',
      'requested',
    ],
  ];
  for (const [what, s, status, code, gatewayState] of failures) {
    it(`answers ${status} ${code} for ${what}, with no redirect, and keeps the order (${gatewayState})`, async () => {
      script = s;
      const res = await pay();
      assert.equal(res.status, status);
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.redirect, undefined);
      const invoice = JSON.parse(doku.requests[0].body).order.invoice_number;
      const order = await bff.store.getOrder(invoice);
      assert.ok(order, 'the order is stored whatever DOKU did');
      assert.equal(order.gatewayState, gatewayState);
      assert.equal(order.status, gatewayState === 'rejected' ? 'FAILED' : 'PENDING');
    });
  }

  it('takes a plain http redirect to a loopback host (a DOKU double on this machine), and post for POST', async () => {
    const loopback = 'http://127.0.0.1:9/redirectPostToPost';
    script = (r) => ({
      status: 200,
      body: {
        ...paymentAnswer(r.body),
        emoney_payment: {
          ...paymentAnswer(r.body).emoney_payment,
          redirect_method_http: 'post',
          redirect_url_http: loopback,
        },
      },
    });
    const res = await pay();
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.redirect.method, res.body.redirect.url], ['POST', loopback]);
  });

  it('answers 502 when DOKU cannot be reached', async () => {
    const other = await startTestBff({
      env: {
        DOKU_ENV: 'sandbox',
        CATALOG_FILE: DEMO_CATALOG_FILE,
        DOKU_BASE_URL: 'http://127.0.0.1:9',
        DOKU_CLIENT_ID: clientId,
        DOKU_SECRET_KEY: secretKey,
      },
    });
    try {
      const res = await request(other.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'rendang', quantity: 1 }] });
      assert.equal(res.status, 502);
      assert.equal(res.body.error.code, 'gateway_error');
    } finally {
      await other.close();
    }
  });

  it('never logs the secret key, a signature or a status token', async () => {
    const res = await pay();
    const text = logs.text();
    assert.ok(logs.lines.length > 5, 'something was logged');
    assert.ok(!text.includes(secretKey), 'secret key in logs');
    for (const r of doku.requests) assert.ok(!text.includes(String(r.headers.signature)), 'signature in logs');
    assert.ok(!text.includes(res.body.status_token), 'status token in logs');
    assert.ok(!/\.ts:\d+:\d+/.test(text), 'stack trace in logs');
  });

  it('carries one request id through the log lines of a payment', async () => {
    const res = await request(bff.url)
      .post('/api/payments')
      .set('X-Request-Id', 'trace-me-123')
      .send({ items: [{ sku: 'rendang', quantity: 1 }] });
    assert.equal(res.get('x-request-id'), 'trace-me-123');
    const mine = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.reqId === 'trace-me-123');
    assert.ok(
      mine.some((l) => l.msg === 'payment created' && l.invoice === res.body.invoice_number && l.dokuRequestId),
    );
    // The access line names the full path, not the part left after the /api router.
    assert.ok(
      mine.some((l) => l.msg === 'request' && l.status === 201 && l.path === '/api/payments'),
      JSON.stringify(mine),
    );
  });

  it('logs the path of a status stream without its ?token= query', async () => {
    const p = await pay();
    const invoice = p.body.invoice_number as string;
    await sendNotification(bff.url, bff.config, { invoice, amount: p.body.amount, status: 'FAILED' });
    // A final order: the stream sends its status and ends, so its access line is written.
    const stream = await openStream(`${bff.url}/api/payments/${invoice}/events?token=${p.body.status_token}`);
    await stream.ended;
    await new Promise((r) => setTimeout(r, 50));
    const line = logs.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'request' && l.path === `/api/payments/${invoice}/events`);
    assert.ok(line, 'access line with the full path');
    assert.ok(!logs.text().includes(p.body.status_token), 'status token in logs');
  });
});

describe("the embedded simulator's redirect", () => {
  it('may be plain http on a public demo (SIMULATOR_PUBLIC=1): its payments are fake', async () => {
    const bff = await startTestBff({ env: { PUBLIC_URL: 'http://demo.example', SIMULATOR_PUBLIC: '1' } });
    try {
      const res = await request(bff.url)
        .post('/api/payments')
        .send({ items: [{ sku: 'rendang', quantity: 1 }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.redirect.method, 'POST');
      assert.match(res.body.redirect.url, /^http:\/\/demo\.example\/simulator\//);
    } finally {
      await bff.close();
    }
  });
});
