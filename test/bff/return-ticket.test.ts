// Coming back from LinkAja, through real HTTP: DOKU's callback_url is the merchant's return URL (its
// own query and hash kept) plus linkaja_invoice and a read-only return ticket; the ticket reads that
// payment's status and events and nothing else, for 48 hours; no log line ever carries it. Also the
// simulator's redirectReuse option.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import request from 'supertest';
import { DEMO_CATALOG_FILE } from '../../bff/orders/sources.ts';
import { startSimulator, type StartedSimulator } from '../../bff/simulator/index.ts';
import { agePayment } from '../helpers/age.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { DATABASES } from '../helpers/databases.ts';
import { startFakeDoku } from '../helpers/fake-doku.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { openStream } from '../helpers/sse.ts';

const CART = { items: [{ sku: 'gado-gado', quantity: 1 }] };

/** Where DOKU will send the customer back, as the simulator received it. */
function callbackOf(b: TestBff, invoice: string): URL {
  const p = b.simulator!.payment(invoice);
  assert.ok(p, `the simulator has ${invoice}`);
  return new URL(p.request.order.callback_url);
}

for (const [name, database] of Object.entries(DATABASES)) {
  describe(`return URL and return ticket: ${name}`, () => {
    let bff: TestBff | undefined;
    let skip: string | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    before(async () => {
      const db = await database();
      if ('skip' in db) return void (skip = db.skip);
      cleanup = db.cleanup;
      bff = await startTestBff({ env: db.env });
    });
    after(async () => {
      await bff?.close();
      await cleanup?.();
    });
    const test = (title: string, fn: (bff: TestBff) => Promise<void>): void =>
      void it(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await fn(bff!);
      });
    const create = async (b: TestBff, body: object = CART) => {
      const res = await request(b.url).post('/api/payments').set('Origin', b.url).send(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const invoice = res.body.invoice_number as string;
      return { invoice, statusToken: res.body.status_token as string, callback: callbackOf(b, invoice) };
    };
    const readStatus = (b: TestBff, invoice: string, token: string) =>
      request(b.url).get(`/api/payments/${invoice}`).set('Authorization', `Bearer ${token}`);

    test("callback_url: the merchant's query and hash kept, invoice and ticket added before the #", async (b) => {
      const returnUrl = `${b.url}/toko/bayar?cart=7&q=a%20b&linkaja_token=OLD-TICKET#ringkasan`;
      const { invoice, callback, statusToken } = await create(b, { ...CART, return_url: returnUrl });
      const ticket = callback.searchParams.get('linkaja_token')!;
      assert.equal(
        callback.href,
        `${b.url}/toko/bayar?cart=7&q=a%20b&linkaja_invoice=${invoice}&linkaja_token=${ticket}#ringkasan`,
        'an earlier return ticket in the page URL is dropped, the merchant bytes are kept',
      );
      assert.match(ticket, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(ticket, statusToken, 'the ticket is a token of its own');
      const order = (await b.store.getOrder(invoice))!;
      assert.equal(order.returnUrl, `${b.url}/toko/bayar?cart=7&q=a%20b#ringkasan`);
      assert.ok(!JSON.stringify(await b.store.getOrderWithTokens(invoice)).includes(ticket), 'stored only as a hash');
      // No return_url: the calling page's origin.
      assert.equal(`${(await create(b)).callback.origin}/`, `${b.url}/`);
    });

    test('the return ticket reads its payment: the status (Bearer) and the events (?token=)', async (b) => {
      const { invoice, callback } = await create(b);
      assert.equal(callback.searchParams.get('linkaja_invoice'), invoice);
      const ticket = callback.searchParams.get('linkaja_token')!;
      const status = await readStatus(b, invoice, ticket);
      assert.deepEqual([status.status, status.body.invoice_number, status.body.status], [200, invoice, 'PENDING']);
      const stream = await openStream(`${b.url}/api/payments/${invoice}/events?token=${ticket}`);
      assert.equal(JSON.parse((await stream.event(0)).data).status, 'PENDING');
      await b.simulator!.decide(invoice, 'pay');
      assert.equal(JSON.parse((await stream.event(1)).data).status, 'SUCCESS');
      await stream.ended;
    });

    test('...and nothing else: not another invoice, not ?token= on the JSON route, not after 48 hours', async (b) => {
      const mine = await create(b);
      const other = await create(b);
      const ticket = mine.callback.searchParams.get('linkaja_token')!;
      const notFound = async (res: { status: number; body: { error?: { code: string } } }, what: string) => {
        assert.deepEqual([res.status, res.body.error?.code], [404, 'not_found'], what);
      };
      await notFound(await readStatus(b, other.invoice, ticket), 'another invoice');
      await notFound(await request(b.url).get(`/api/payments/${other.invoice}/events?token=${ticket}`), 'its events');
      await notFound(await request(b.url).get(`/api/payments/${mine.invoice}?token=${ticket}`), '?token= on JSON');
      await notFound(await readStatus(b, mine.invoice, `${ticket}x`), 'a malformed ticket');
      await notFound(await readStatus(b, mine.invoice, ticket.slice(0, 20)), 'a cut ticket');

      await agePayment(b.store, mine.invoice, 47 * 3_600_000);
      assert.equal((await readStatus(b, mine.invoice, ticket)).status, 200, 'still good at 47 hours');
      await agePayment(b.store, mine.invoice, 3_600_000 + 1000);
      await notFound(await readStatus(b, mine.invoice, ticket), 'the ticket after 48 hours');
      await notFound(
        await request(b.url).get(`/api/payments/${mine.invoice}/events?token=${ticket}`),
        'events after 48 h',
      );
      assert.equal((await readStatus(b, mine.invoice, mine.statusToken)).status, 200, 'the status token does not end');
    });
  });
}

describe('no log line carries the return ticket', () => {
  const creds = { clientId: 'BRN-0001-TICKETLOGS01', secretKey: 'SK-ticket-logs-test-secret-001' };

  it('through a whole payment: the BFF, its access log and the DOKU simulator, at debug level', async () => {
    const logs = capturingLogger('debug');
    const simLogs = capturingLogger('debug');
    let sim: StartedSimulator | undefined;
    let bff: TestBff | undefined;
    try {
      sim = await startSimulator({ ...creds, log: simLogs.log });
      bff = await startTestBff({
        log: logs.log,
        env: {
          LOG_LEVEL: 'debug',
          DOKU_ENV: 'sandbox',
          CATALOG_FILE: DEMO_CATALOG_FILE,
          DOKU_BASE_URL: sim.url,
          DOKU_CLIENT_ID: creds.clientId,
          DOKU_SECRET_KEY: creds.secretKey,
        },
      });
      const res = await request(bff.url).post('/api/payments').send(CART);
      const invoice = res.body.invoice_number as string;
      const callback = new URL(sim.simulator.payment(invoice)!.request.order.callback_url);
      const ticket = callback.searchParams.get('linkaja_token')!;
      // The customer on the LinkAja page, then back on the shop page that reads the status.
      const message = (res.body.redirect.parameters as Array<{ name: string; value: string }>)[0].value;
      await fetch(`${sim.url}/linkaja/pay`, { method: 'POST', body: new URLSearchParams({ Message: message }) });
      const decided = await fetch(`${sim.url}/linkaja/decide`, {
        method: 'POST',
        body: new URLSearchParams({ Message: message, decision: 'pay' }),
        redirect: 'manual',
      });
      assert.equal(decided.headers.get('location'), callback.href);
      await request(bff.url).get(`/api/payments/${invoice}`).set('Authorization', `Bearer ${ticket}`).expect(200);
      const stream = await openStream(`${bff.url}/api/payments/${invoice}/events?token=${ticket}`);
      await stream.ended;
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(logs.lines.length > 5 && simLogs.lines.length > 2, 'there were log lines to look at');
      assert.ok(
        logs.lines.some((l) => l.includes(`/api/payments/${invoice}/events`)),
        'the stream was logged',
      );
      for (const line of [...logs.lines, ...simLogs.lines]) assert.ok(!line.includes(ticket), line);
    } finally {
      await bff?.close();
      await sim?.close();
    }
  });

  it('when DOKU refuses the payment quoting the callback_url back', async () => {
    const logs = capturingLogger('debug');
    const doku = await startFakeDoku({
      ...creds,
      script: (r) => {
        const sent = JSON.parse(r.body) as { order: { callback_url: string } };
        return {
          status: 400,
          body: { error: { code: 'invalid_parameter', message: `bad callback_url ${sent.order.callback_url}` } },
        };
      },
    });
    const bff = await startTestBff({
      log: logs.log,
      env: {
        LOG_LEVEL: 'debug',
        ...doku.env,
      },
    });
    try {
      const res = await request(bff.url).post('/api/payments').send(CART);
      assert.equal(res.status, 502);
      const ticket = new URL(
        (JSON.parse(doku.requests[0].body) as { order: { callback_url: string } }).order.callback_url,
      ).searchParams.get('linkaja_token')!;
      assert.ok(logs.text().includes('bad callback_url'), "DOKU's message was logged");
      assert.ok(!logs.text().includes(ticket), 'but not the ticket it quoted');
      assert.ok(!JSON.stringify(res.body).includes(ticket));
    } finally {
      await bff.close();
      await doku.close();
    }
  });
});

describe("the simulator's redirectReuse", () => {
  const visits = async (option: 'allow' | 'refuse') => {
    const bff = await startTestBff({ simulator: { redirectReuse: option } });
    try {
      const res = await request(bff.url).post('/api/payments').send(CART);
      const form = new URLSearchParams({ Message: res.body.redirect.parameters[0].value as string });
      const open = async () => {
        const page = await fetch(res.body.redirect.url as string, { method: 'POST', body: form });
        return { status: page.status, html: await page.text() };
      };
      return {
        first: await open(),
        second: await open(),
        callback: callbackOf(bff, res.body.invoice_number as string),
      };
    } finally {
      await bff.close();
    }
  };

  it("'allow' (the default) shows the LinkAja page for the same redirect again", async () => {
    const { first, second } = await visits('allow');
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.match(second.html, /data-testid="linkaja-pay"/);
  });

  it("'refuse' says the link was already used, with the way back to the shop", async () => {
    const { first, second, callback } = await visits('refuse');
    assert.equal(first.status, 200);
    assert.equal(second.status, 409);
    assert.match(second.html, /data-testid="linkaja-used"/);
    assert.doesNotMatch(second.html, /data-testid="linkaja-pay"/, 'no way to pay from the second visit');
    const back = /href="([^"]+)" data-testid="linkaja-back"/.exec(second.html)?.[1].replaceAll('&amp;', '&');
    assert.equal(back, callback.href);
  });
});
