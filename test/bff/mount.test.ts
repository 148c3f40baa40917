// createBff mounted inside a merchant's own Express app under /pay (PUBLIC_URL ending in /pay): the
// whole journey through the mount (the simulator's pages, the notification's signature target, the
// widget bundle, the demo shop), reconciliation running by itself, and a clear failure when the host
// app's body parser reads the notification first.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { createBff, type Bff } from '../../bff/create-bff.ts';
import { OrderError } from '../../bff/orders/errors.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { sendNotification } from '../helpers/notify.ts';

interface Host {
  url: string;
  bff: Bff;
  logs: ReturnType<typeof capturingLogger>;
  close(): Promise<void>;
}

/** A host app on 127.0.0.1 with the BFF at /pay; `bodyParserFirst` mounts express.json() before it. */
async function startHost(bodyParserFirst = false): Promise<Host> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-mount-'));
  const logs = capturingLogger('info');
  const bff = await createBff({
    env: { PUBLIC_URL: `${origin}/pay`, DATABASE_URL: `sqlite:${join(dir, 'shop.db')}`, LOG_LEVEL: 'info' },
    logger: logs.log,
    // The merchant's own pricing: the browser names products, the merchant's code prices them.
    resolveOrder: async (request) => ({
      lineItems: (request.items ?? []).map(({ sku, quantity }) => {
        if (sku !== 'kopi-susu') throw new OrderError('unknown_sku', `No product ${sku}.`);
        return { name: 'Kopi Susu', price: 18_000, quantity };
      }),
    }),
  });
  const host = express();
  if (bodyParserFirst) host.use(express.json({ type: () => true }));
  host.use('/pay', bff.app);
  host.use(express.json());
  host.get('/', (_req, res) => res.send('the merchant home page'));
  server.on('request', host);
  return {
    url: origin,
    bff,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bff.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const json = (res: Response) => res.json() as Promise<Record<string, unknown>>;

async function createPayment(host: Host, sku = 'kopi-susu') {
  const res = await fetch(`${host.url}/pay/api/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: host.url },
    body: JSON.stringify({ items: [{ sku, quantity: 2 }] }),
  });
  return { status: res.status, body: await json(res) };
}

/** What the customer's browser does on the simulator's LinkAja page: open it, then press a button. */
async function decideOnLinkAjaPage(
  redirect: { url: string; parameters: { name: string; value: string }[] },
  decision: string,
) {
  const form = new URLSearchParams(redirect.parameters.map((p) => [p.name, p.value]));
  const page = await fetch(redirect.url, { method: 'POST', body: form });
  assert.equal(page.status, 200, 'the LinkAja page opens under the mount');
  form.set('decision', decision);
  const done = await fetch(redirect.url.replace(/\/pay$/, '/decide'), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  assert.equal(done.status, 303);
  return done.headers.get('location');
}

async function statusOf(host: Host, invoice: string, token: string) {
  const res = await fetch(`${host.url}/pay/api/payments/${invoice}`, { headers: { Authorization: `Bearer ${token}` } });
  return (await json(res)).status;
}

describe('createBff mounted at /pay inside an Express app', { timeout: 30_000 }, () => {
  let host: Host;
  before(async () => (host = await startHost()));
  after(() => host.close());

  it('prices with the merchant resolveOrder, and refuses what it refuses with a 400', async () => {
    const ok = await createPayment(host);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.amount, 36_000);
    const refused = await createPayment(host, 'nasi-goreng');
    assert.equal(refused.status, 400);
    assert.deepEqual((refused.body.error as { code: string }).code, 'unknown_sku');
  });

  it('pays through the simulator under /pay: the notification verifies against /pay/... and the order is paid', async () => {
    const { body } = await createPayment(host);
    const redirect = body.redirect as { url: string; parameters: { name: string; value: string }[] };
    assert.equal(new URL(redirect.url).pathname, '/pay/simulator/linkaja/pay');
    const back = await decideOnLinkAjaPage(redirect, 'pay');
    const returned = new URL(back!);
    assert.equal(returned.origin + returned.pathname, `${host.url}/`, 'back to the page that asked (the host origin)');
    assert.equal(returned.searchParams.get('linkaja_invoice'), body.invoice_number);
    assert.equal(await statusOf(host, body.invoice_number as string, body.status_token as string), 'SUCCESS');
    assert.doesNotMatch(host.logs.text(), /notification refused/);
  });

  it("streams the status under /pay: the stream's first event, then SUCCESS once paid, then it ends", async () => {
    const { body } = await createPayment(host);
    const stream = `/pay/api/payments/${String(body.invoice_number)}/events?token=${String(body.status_token)}`;
    const res = await fetch(host.url + stream);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      return pattern.test(text);
    };
    assert.ok(await until(/"status":"PENDING"/), text);
    await decideOnLinkAjaPage(body.redirect as { url: string; parameters: { name: string; value: string }[] }, 'pay');
    assert.ok(await until(/"status":"SUCCESS"/), text);
    assert.equal((await reader.read()).done, true, 'a final status ends the stream');
  });

  it('serves the widget bundle and the demo shop with their URLs under /pay', async () => {
    const bundle = await fetch(`${host.url}/pay/linkaja-pay.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    const shop = await (await fetch(`${host.url}/pay/`)).text();
    assert.match(shop, /<linkaja-pay/);
    assert.match(shop, /src="http:\/\/127\.0\.0\.1:\d+\/pay\/linkaja-pay\.js"/);
    assert.match(shop, /href="\/pay\/demo\/shop\.css"/);
    assert.equal(await (await fetch(`${host.url}/`)).text(), 'the merchant home page', "the host's own routes");
  });

  it('reconciles by itself: an expiry DOKU never notifies is found within seconds (simulator interval 2 s)', async () => {
    const { body } = await createPayment(host);
    await decideOnLinkAjaPage(body.redirect as never, 'expire');
    const deadline = Date.now() + 10_000;
    let status;
    while ((status = await statusOf(host, body.invoice_number as string, body.status_token as string)) === 'PENDING') {
      assert.ok(Date.now() < deadline, 'still PENDING after 10 s: reconciliation is not running');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The simulator answers Check Status for an expired payment as FAILED or EXPIRED: either ends it.
    assert.match(String(status), /^(EXPIRED|FAILED)$/);
  });
});

describe('createBff mounted after a body parser of the host app', { timeout: 30_000 }, () => {
  let host: Host;
  before(async () => (host = await startHost(true)));
  after(() => host.close());

  it('answers a notification 500 (not 401) and the log line names the fix', async () => {
    const { body } = await createPayment(host);
    const res = await sendNotification(`${host.url}/pay`, host.bff.config, {
      invoice: body.invoice_number as string,
      amount: 36_000,
      status: 'SUCCESS',
    });
    assert.equal(res.status, 500);
    assert.match(host.logs.text(), /mount the BFF before your body parsers/);
    assert.doesNotMatch(host.logs.text(), /notification refused/);
  });
});
