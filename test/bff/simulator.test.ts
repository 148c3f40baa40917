// The embedded DOKU simulator, standalone over real HTTP: it must be as strict as DOKU, answer in
// DOKU's signed shapes, serve the LinkAja page and send notifications that verify.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import express from 'express';
import { LINKAJA_PAYMENT_PATH, LinkAjaPaymentResponse, Notification } from '../../bff/doku/schemas.ts';
import { DokuSignatureError, signedHeaders, verifyDokuSignature } from '../../bff/doku/verify.ts';
import { createSimulator, startSimulator, type StartedSimulator } from '../../bff/simulator/index.ts';
import { capturingLogger } from '../helpers/log-capture.ts';

const CLIENT_ID = 'BRN-TEST-0001';
const SECRET = 'SK-test-simulator-secret';
const CREATE_PATH = '/linkaja-emoney/v2/ServiceRequestPayment';
const HOOK_PATH = '/hooks/doku';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  verified: boolean;
}

/** A tiny merchant endpoint: records each notification, verifies it, answers scripted statuses. */
async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let verified = true;
      try {
        verifyDokuSignature({
          headers: req.headers,
          rawBody: raw,
          target: req.url!.split('?')[0],
          clientId: CLIENT_ID,
          secretKey: SECRET,
        });
      } catch {
        verified = false;
      }
      received.push({ path: req.url!, headers: req.headers, raw: raw.toString('utf8'), verified });
      res.statusCode = statuses.shift() ?? (verified ? 200 : 401);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    statuses,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let counter = 0;
function paymentRequest(
  overrides: { amount?: number; invoice?: string; items?: unknown[]; notificationUrl?: string } = {},
) {
  counter += 1;
  return {
    order: {
      invoice_number: overrides.invoice ?? `INV-SIM-${Date.now()}-${counter}`,
      amount: overrides.amount ?? 20000,
      callback_url: 'https://shop.example/return?x=1',
      line_items: overrides.items ?? [
        { name: 'Kopi <b>Susu</b> & "Gula"', price: 5000, quantity: 2 },
        { name: 'Roti Bakar', price: 10000, quantity: 1 },
      ],
    },
    customer: { name: 'Siti', email: 'siti@example.com' },
    ...(overrides.notificationUrl ? { additional_info: { override_notification_url: overrides.notificationUrl } } : {}),
  };
}

interface SendOptions {
  body?: string;
  /** Sign these bytes instead of the body sent. */
  signedBody?: string;
  requestId?: string;
  secretKey?: string;
  clientId?: string;
  timestamp?: string;
  target?: string;
  drop?: string;
}

async function create(base: string, request: unknown, o: SendOptions = {}) {
  const body = o.body ?? JSON.stringify(request);
  const headers = signedHeaders({
    clientId: o.clientId ?? CLIENT_ID,
    secretKey: o.secretKey ?? SECRET,
    target: o.target ?? CREATE_PATH,
    body: o.signedBody ?? body,
    requestId: o.requestId,
    timestamp: o.timestamp,
  });
  if (o.drop) delete headers[o.drop];
  const res = await fetch(base + CREATE_PATH, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    text,
    json: JSON.parse(text),
    requestId: headers['Request-Id'],
  };
}

async function checkStatus(base: string, id: string, o: { body?: string | null } = {}) {
  const target = '/orders/v1/status/' + encodeURIComponent(id);
  const headers = signedHeaders({ clientId: CLIENT_ID, secretKey: SECRET, target, body: o.body ?? null });
  const res = await fetch(base + target, { headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    text,
    json: JSON.parse(text),
    target,
    requestId: headers['Request-Id'],
  };
}

function verifyAnswer(a: { headers: Record<string, string>; text: string }, target: string, secretKey = SECRET) {
  return verifyDokuSignature({
    headers: a.headers,
    rawBody: a.text,
    target,
    clientId: CLIENT_ID,
    secretKey,
    timestampLabel: 'Response-Timestamp',
    digest: 'body',
  });
}

const messageOf = (json: { emoney_payment: { redirect_parameter: Array<{ name: string; value: string }> } }) =>
  json.emoney_payment.redirect_parameter.find((p) => p.name === 'Message')!.value;

const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

describe('DOKU simulator', () => {
  let sim: StartedSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const logs = capturingLogger('debug');

  before(async () => {
    receiver = await startReceiver();
    sim = await startSimulator({
      clientId: CLIENT_ID,
      secretKey: SECRET,
      merchantName: 'Warung <Bu Tini>',
      notificationUrl: receiver.url + HOOK_PATH,
      notificationRetryDelaysMs: [50, 100],
      log: logs.log,
    });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
  });

  describe('create payment', () => {
    it('accepts a correctly signed request and answers signed, in DOKU shape', async () => {
      const req = paymentRequest({ notificationUrl: receiver.url + HOOK_PATH });
      const res = await create(sim.url, req);
      assert.equal(res.status, 200, res.text);
      const verified = verifyAnswer(res, CREATE_PATH);
      assert.equal(verified.requestId, res.requestId, 'the answer carries the request Request-Id');
      assert.match(res.headers['response-timestamp'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const body = LinkAjaPaymentResponse.parse(res.json);
      assert.equal(body.order.invoice_number, req.order.invoice_number);
      assert.equal(body.order.amount, '20000.00');
      assert.equal(body.emoney_payment.redirect_method_http, 'POST');
      assert.equal(body.emoney_payment.redirect_url_http, `${sim.url}/linkaja/pay`);
      assert.equal(body.emoney_payment.status, 'PENDING');
      assert.match(messageOf(res.json), /^[A-Za-z0-9+/]{40,}={0,2}$/);
      assert.deepEqual(res.json.emoney_configuration.identifier[0].name, 'TERMINAL_ID');
      assert.deepEqual(res.json.additional_info, req.additional_info);
      assert.equal(sim.simulator.payment(req.order.invoice_number)?.status, 'PENDING');
    });

    it('answers a repeat with the same Request-Id and body 409 with the original body, signed', async () => {
      const req = paymentRequest();
      const first = await create(sim.url, req);
      assert.equal(first.status, 200);
      const again = await create(sim.url, req, { requestId: first.requestId });
      assert.equal(again.status, 409);
      assert.equal(again.text, first.text);
      verifyAnswer(again, CREATE_PATH);
    });

    const refusals: Array<
      [
        string,
        () => Promise<{ status: number; json: { error: { code: string; message: string; type: string } } }>,
        number,
        string,
        RegExp?,
      ]
    > = [
      [
        'a wrong signature',
        () => create(sim.url, paymentRequest(), { body: JSON.stringify(paymentRequest()), signedBody: '{}' }),
        401,
        'invalid_signature',
      ],
      [
        'a wrong secret key',
        () => create(sim.url, paymentRequest(), { secretKey: 'SK-wrong' }),
        401,
        'invalid_signature',
        /secret key/,
      ],
      [
        'another Client-Id',
        () => create(sim.url, paymentRequest(), { clientId: 'BRN-OTHER' }),
        401,
        'invalid_client_id',
      ],
      [
        'a timestamp with milliseconds',
        () => create(sim.url, paymentRequest(), { timestamp: new Date().toISOString() }),
        400,
        'invalid_timestamp',
      ],
      [
        'a missing Request-Timestamp',
        () => create(sim.url, paymentRequest(), { drop: 'Request-Timestamp' }),
        400,
        'missing_header',
        /Request-Timestamp/,
      ],
      [
        'a missing Signature',
        () => create(sim.url, paymentRequest(), { drop: 'Signature' }),
        400,
        'missing_header',
        /Signature/,
      ],
      [
        'a body that does not match the Digest (signed re-serialised JSON)',
        () => {
          const req = paymentRequest();
          return create(sim.url, req, { body: JSON.stringify(req, null, 2), signedBody: JSON.stringify(req) });
        },
        401,
        'invalid_signature',
        /re-serialised JSON/,
      ],
      [
        'a signature without the Digest line',
        async () => {
          const body = JSON.stringify(paymentRequest());
          const headers = signedHeaders({ clientId: CLIENT_ID, secretKey: SECRET, target: CREATE_PATH, body: null });
          const res = await fetch(sim.url + CREATE_PATH, {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/json' },
            body,
          });
          return { status: res.status, json: await res.json() };
        },
        401,
        'invalid_signature',
        /without a Digest line/,
      ],
      [
        'a Request-Id over 128 characters',
        () => create(sim.url, paymentRequest(), { requestId: 'r'.repeat(129) }),
        400,
        'invalid_request_id',
      ],
      ['a body that is not JSON', () => create(sim.url, null, { body: 'amount=1' }), 400, 'invalid_parameter'],
      [
        'an unknown field (strict shape)',
        () => create(sim.url, { ...paymentRequest(), extra: 1 }),
        400,
        'invalid_parameter',
      ],
      [
        'an amount as a string',
        () => create(sim.url, { ...paymentRequest(), order: { ...paymentRequest().order, amount: '20000' } }),
        400,
        'invalid_parameter',
        /order\.amount/,
      ],
      [
        'line items that do not add up to the amount',
        () => create(sim.url, paymentRequest({ amount: 19999 })),
        400,
        'invalid_amount',
        /add up to 20000/,
      ],
      [
        'a javascript: callback_url',
        () =>
          create(sim.url, {
            ...paymentRequest(),
            order: { ...paymentRequest().order, callback_url: 'javascript:alert(1)' },
          }),
        400,
        'invalid_parameter',
      ],
      [
        'an amount over the LinkAja limit',
        () =>
          create(
            sim.url,
            paymentRequest({ amount: 10_000_001, items: [{ name: 'TV', price: 10_000_001, quantity: 1 }] }),
          ),
        400,
        'invalid_amount',
      ],
    ];
    for (const [what, send, status, code, message] of refusals) {
      it(`refuses ${what}: ${status} ${code}`, async () => {
        const before = logs.lines.length;
        const res = await send();
        assert.equal(res.status, status, JSON.stringify(res.json));
        assert.equal(res.json.error.code, code);
        assert.equal(typeof res.json.error.type, 'string');
        if (message) assert.match(res.json.error.message, message);
        const logged = logs.lines.slice(before).join('\n');
        assert.ok(!logged.includes(SECRET) && !logged.includes('HMACSHA256='), 'no secret or signature in the log');
        assert.ok(!JSON.stringify(res.json).includes(SECRET));
      });
    }

    it('refuses a reused invoice number with a new Request-Id, and a reused Request-Id with a new body', async () => {
      const req = paymentRequest();
      const first = await create(sim.url, req);
      assert.equal(first.status, 200);
      const reusedInvoice = await create(sim.url, req);
      assert.equal(reusedInvoice.status, 400);
      assert.equal(reusedInvoice.json.error.code, 'duplicate_invoice_number');
      const reusedId = await create(sim.url, paymentRequest(), { requestId: first.requestId });
      assert.equal(reusedId.status, 400);
      assert.equal(reusedId.json.error.code, 'duplicate_request_id');
    });

    it('keeps no payment for a refused request', async () => {
      const req = paymentRequest({ amount: 1 });
      assert.equal((await create(sim.url, req)).status, 400);
      assert.equal(sim.simulator.payment(req.order.invoice_number), undefined);
    });
  });

  describe('the LinkAja page', () => {
    it('shows merchant, items and amount (escaped), with three decision buttons and no inline script or style', async () => {
      const req = paymentRequest();
      const created = await create(sim.url, req);
      const res = await postForm(`${sim.url}/linkaja/pay`, { Message: messageOf(created.json) });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; style-src 'self'/);
      assert.match(html, /data-testid="linkaja-amount">Rp\s20\.000</);
      assert.match(html, /Rp\s10\.000/, 'line item subtotal');
      assert.ok(html.includes('Kopi &lt;b&gt;Susu&lt;/b&gt; &amp; &quot;Gula&quot;'), 'item names are escaped');
      assert.ok(html.includes('Warung &lt;Bu Tini&gt;'), 'merchant name is escaped');
      assert.ok(!html.includes('<b>'));
      assert.ok(html.includes(req.order.invoice_number));
      for (const [decision, label] of [
        ['pay', 'Bayar'],
        ['cancel', 'Batalkan'],
        ['expire', 'Biarkan kedaluwarsa'],
      ]) {
        assert.match(
          html,
          new RegExp(`name="decision" value="${decision}"[^>]*data-testid="linkaja-${decision}">${label}<`),
        );
      }
      assert.ok(!/<script|style=|<style/i.test(html), 'no inline script or style');
      const css = await fetch(`${sim.url}/linkaja/page.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /text\/css/);
      assert.match(await css.text(), /#E82127/);
    });

    it('answers an unknown, garbled or missing Message with a 400 page', async () => {
      for (const fields of [{ Message: 'bm90IGEgcGF5bWVudA==' }, { Message: '<script>' }, {}] as Array<
        Record<string, string>
      >) {
        const res = await postForm(`${sim.url}/linkaja/pay`, fields);
        assert.equal(res.status, 400);
        const html = await res.text();
        assert.match(html, /tidak dikenal/);
        assert.ok(!html.includes('<script>'));
      }
      const decide = await postForm(`${sim.url}/linkaja/decide`, { Message: 'nope', decision: 'pay' });
      assert.equal(decide.status, 400);
    });

    it('refuses an unknown decision without deciding', async () => {
      const req = paymentRequest();
      const created = await create(sim.url, req);
      const res = await postForm(`${sim.url}/linkaja/decide`, { Message: messageOf(created.json), decision: 'refund' });
      assert.equal(res.status, 400);
      assert.equal(sim.simulator.payment(req.order.invoice_number)?.status, 'PENDING');
      assert.equal(receiver.received.length, 0);
    });
  });

  describe('decisions send a signed notification, then return the browser', () => {
    for (const [decision, expected] of [
      ['pay', 'SUCCESS'],
      ['cancel', 'FAILED'],
    ] as const) {
      it(`${decision} -> ${expected}`, async () => {
        const req = paymentRequest();
        const created = await create(sim.url, req);
        const message = messageOf(created.json);
        const before = await checkStatus(sim.url, req.order.invoice_number);
        assert.equal(before.status, 200);
        assert.equal(before.json.transaction.status, 'PENDING');

        const res = await postForm(`${sim.url}/linkaja/decide`, { Message: message, decision });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), req.order.callback_url);

        assert.equal(receiver.received.length, 1);
        const n = receiver.received[0];
        assert.equal(n.path, HOOK_PATH);
        assert.ok(n.verified, 'the notification verifies over its raw bytes and the path of the URL');
        assert.notEqual(n.headers['request-id'], created.requestId, 'a notification has its own Request-Id');
        assert.ok(Notification.safeParse(JSON.parse(n.raw)).success, 'the BFF accepts its shape');
        const body = JSON.parse(n.raw) as {
          order: { invoice_number: string; amount: string };
          transaction: { status: string; date: string; original_request_id: string };
          service: { id: string };
          acquirer: { id: string };
          channel: { id: string };
          emoney_payment?: { account_id?: string };
        };
        assert.equal(body.transaction.status, expected);
        assert.equal(body.order.invoice_number, req.order.invoice_number);
        assert.equal(Number(body.order.amount), 20000);
        assert.match(body.transaction.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(body.transaction.original_request_id, created.requestId);
        assert.deepEqual([body.service.id, body.acquirer.id, body.channel.id], ['EMONEY', 'LINKAJA', 'EMONEY_LINKAJA']);
        assert.ok(body.emoney_payment?.account_id);

        const afterStatus = await checkStatus(sim.url, req.order.invoice_number);
        assert.equal(afterStatus.json.transaction.status, expected);
        // Decided once: the page and the buttons now say so, and nothing more is sent.
        const page = await postForm(`${sim.url}/linkaja/pay`, { Message: message });
        assert.equal(page.status, 409);
        assert.match(await page.text(), /sudah diproses/);
        const twice = await postForm(`${sim.url}/linkaja/decide`, { Message: message, decision: 'pay' });
        assert.equal(twice.status, 409);
        assert.equal(receiver.received.length, 1);
        await assert.rejects(sim.simulator.decide(req.order.invoice_number, 'pay'), /already decided/);
      });
    }

    it('expire -> EXPIRED: like DOKU, no notification; Check Status says so; the browser goes back', async () => {
      const req = paymentRequest();
      const created = await create(sim.url, req);
      const res = await postForm(`${sim.url}/linkaja/decide`, { Message: messageOf(created.json), decision: 'expire' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), req.order.callback_url);
      assert.equal((await checkStatus(sim.url, req.order.invoice_number)).json.transaction.status, 'EXPIRED');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(receiver.received.length, 0, 'DOKU notifies SUCCESS and FAILED only');
    });

    it('decide() reports the first attempt, then retries in the background with the same bytes', async () => {
      const req = paymentRequest();
      await create(sim.url, req);
      receiver.statuses.push(503);
      const result = await sim.simulator.decide(req.order.invoice_number, 'pay');
      assert.equal(result.notificationStatus, 503);
      const deadline = Date.now() + 3000;
      while (receiver.received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(receiver.received.length, 2, 'retried');
      assert.equal(receiver.received[1].raw, receiver.received[0].raw);
      assert.equal(receiver.received[1].headers['request-id'], receiver.received[0].headers['request-id']);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.received.length, 2, 'no retry after a 2xx');
      assert.deepEqual(
        sim.simulator.payment(req.order.invoice_number)!.notifications.map((a) => a.result),
        [503, 200],
      );
    });

    it('decide() reports an unreachable notification URL as an error string', async () => {
      const req = paymentRequest({ notificationUrl: 'http://127.0.0.1:9/hooks/doku' });
      await create(sim.url, req);
      const result = await sim.simulator.decide(req.order.invoice_number, 'cancel');
      assert.equal(typeof result.notificationStatus, 'string');
      assert.match(String(result.notificationStatus), /network error/);
      await assert.rejects(sim.simulator.decide('INV-UNKNOWN', 'pay'), /no payment/);
    });
  });

  describe('Check Status', () => {
    it("finds a payment by invoice number or create Request-Id, answers signed; DOKU's not-found (no transaction) for unknown", async () => {
      const req = paymentRequest();
      const created = await create(sim.url, req);
      for (const id of [req.order.invoice_number, created.requestId]) {
        const res = await checkStatus(sim.url, id);
        assert.equal(res.status, 200, res.text);
        verifyAnswer(res, res.target);
        assert.equal(res.json.order.invoice_number, req.order.invoice_number);
        assert.equal(res.json.transaction.status, 'PENDING');
        assert.match(res.json.transaction.date, /Z$/);
      }
      const unknown = await checkStatus(sim.url, 'INV-NOPE');
      assert.equal(unknown.status, 200);
      verifyAnswer(unknown, unknown.target);
      assert.equal(unknown.json.transaction, undefined);
    });

    it('is as exact as DOKU about paths and Content-Type', async () => {
      const req = paymentRequest();
      const body = JSON.stringify(req);
      const send = (path: string, contentType: string) => {
        const headers = signedHeaders({
          clientId: CLIENT_ID,
          secretKey: SECRET,
          target: path,
          body,
          requestId: randomUUID(),
        });
        return fetch(sim.url + path, { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body });
      };
      assert.equal((await send(LINKAJA_PAYMENT_PATH.toUpperCase(), 'application/json')).status, 404);
      assert.equal((await send(`${LINKAJA_PAYMENT_PATH}/`, 'application/json')).status, 404);
      const plain = await send(LINKAJA_PAYMENT_PATH, 'text/plain');
      assert.equal(plain.status, 400);
      assert.match(await plain.text(), /Content-Type must be application\/json/);
      assert.equal((await send(LINKAJA_PAYMENT_PATH, 'application/json')).status, 200);
    });

    it('refuses a GET signed with a Digest line, and says so', async () => {
      const res = await checkStatus(sim.url, 'INV-X', { body: '' });
      assert.equal(res.status, 401);
      assert.match(res.json.error.message, /GET is signed without a Digest line/);
    });
  });
});

describe('DOKU simulator faults and limits', () => {
  it('faults.responseSecretKey makes answers fail verification with the real key', async () => {
    const sim = await startSimulator({
      clientId: CLIENT_ID,
      secretKey: SECRET,
      faults: { responseSecretKey: 'SK-not-doku' },
    });
    try {
      const req = paymentRequest();
      const res = await create(sim.url, req);
      assert.equal(res.status, 200, 'the request itself is accepted');
      assert.throws(
        () => verifyAnswer(res, CREATE_PATH),
        (e: unknown) => e instanceof DokuSignatureError && e.reason === 'signature_mismatch',
      );
      verifyAnswer(res, CREATE_PATH, 'SK-not-doku');
      const status = await checkStatus(sim.url, req.order.invoice_number);
      assert.throws(() => verifyAnswer(status, status.target), DokuSignatureError);
    } finally {
      await sim.close();
    }
  });

  it('faults.notificationSecretKey makes notifications fail verification', async () => {
    const receiver = await startReceiver();
    const sim = await startSimulator({
      clientId: CLIENT_ID,
      secretKey: SECRET,
      notificationUrl: receiver.url + HOOK_PATH,
      notificationRetryDelaysMs: [],
      faults: { notificationSecretKey: 'SK-not-doku' },
    });
    try {
      const req = paymentRequest();
      await create(sim.url, req);
      const result = await sim.simulator.decide(req.order.invoice_number, 'pay');
      assert.equal(result.notificationStatus, 401);
      assert.equal(receiver.received[0].verified, false);
    } finally {
      await sim.close();
      await receiver.close();
    }
  });

  it('keeps at most maxPayments, dropping the oldest', async () => {
    const sim = await startSimulator({ clientId: CLIENT_ID, secretKey: SECRET, maxPayments: 2 });
    try {
      const reqs = [paymentRequest(), paymentRequest(), paymentRequest()];
      for (const r of reqs) assert.equal((await create(sim.url, r)).status, 200);
      assert.equal(sim.simulator.payment(reqs[0].order.invoice_number), undefined);
      assert.ok(sim.simulator.payment(reqs[2].order.invoice_number));
      assert.equal(
        (await checkStatus(sim.url, reqs[0].order.invoice_number)).json.transaction,
        undefined,
        'forgotten: not found',
      );
    } finally {
      await sim.close();
    }
  });

  it('mounted under a prefix, signs and verifies the path relative to the mount, and hints at the prefix', async () => {
    const app = express();
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const simulator = createSimulator({ clientId: CLIENT_ID, secretKey: SECRET, publicBaseUrl: `${base}/simulator` });
    app.use('/simulator', simulator.router);
    try {
      const ok = await create(`${base}/simulator`, paymentRequest());
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.emoney_payment.redirect_url_http, `${base}/simulator/linkaja/pay`);
      verifyAnswer(ok, CREATE_PATH);
      const prefixed = await create(`${base}/simulator`, paymentRequest(), { target: `/simulator${CREATE_PATH}` });
      assert.equal(prefixed.status, 401);
      assert.match(prefixed.json.error.message, /Request-Target: signed for \/simulator\/linkaja-emoney/);
    } finally {
      simulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('with allowedUrlOrigins (the embedded one), refuses to call back anywhere else', async () => {
    const sim = await startSimulator({
      clientId: CLIENT_ID,
      secretKey: SECRET,
      allowedUrlOrigins: ['https://shop.example', 'http://127.0.0.1:9'],
    });
    try {
      const elsewhere = await create(
        sim.url,
        paymentRequest({ notificationUrl: 'http://169.254.169.254/latest/meta-data' }),
      );
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.json.error.message, /override_notification_url must be on https:\/\/shop\.example/);
      const ok = await create(sim.url, paymentRequest({ notificationUrl: 'http://127.0.0.1:9/hook' }));
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await sim.close();
    }
  });

  it('answers an oversized body 413 in DOKU shape', async () => {
    const sim = await startSimulator({ clientId: CLIENT_ID, secretKey: SECRET });
    try {
      const res = await fetch(sim.url + CREATE_PATH, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Request-Id': randomUUID() },
        body: 'x'.repeat(70_000),
      });
      assert.equal(res.status, 413);
      assert.equal((await res.json()).error.code, 'payload_too_large');
    } finally {
      await sim.close();
    }
  });
});
