// The operator CLI against a running BFF on a temporary SQLite database: each command in-process
// (the same runCli the bin runs, output captured), and the bin itself spawned once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import request from 'supertest';
import { runCli } from '../../bff/cli/program.ts';
import { loadConfig } from '../../bff/config.ts';
import { webhookSecretProblem } from '../../bff/webhooks/standard-webhooks.ts';
import { PaymentDetail, PaymentList, WebhookDeliveryList } from '../../shared/server-api.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { startMerchantBackend } from '../helpers/merchant-backend.ts';

const TOKEN_SECRET = 'cli-test-order-token-secret-000000001';
const root = join(import.meta.dirname, '..', '..');

describe('linkaja-pay CLI against a running BFF', () => {
  let bff: TestBff;
  let backend: Awaited<ReturnType<typeof startMerchantBackend>>;
  let env: Record<string, string>;
  before(async () => {
    backend = await startMerchantBackend();
    bff = await startTestBff({
      env: {
        ORDER_TOKEN_SECRET: TOKEN_SECRET,
        MERCHANT_WEBHOOK_URL: backend.url,
        MERCHANT_WEBHOOK_SECRET: backend.secret,
      },
      webhook: { pollMs: 20 },
    });
    // The operator's shell: the BFF's own configuration.
    env = {
      PUBLIC_URL: bff.url,
      DATABASE_URL: bff.config.databaseUrl,
      ORDER_TOKEN_SECRET: TOKEN_SECRET,
      MERCHANT_WEBHOOK_URL: backend.url,
      MERCHANT_WEBHOOK_SECRET: backend.secret,
      LOG_LEVEL: 'silent',
    };
  });
  after(async () => {
    await bff.close();
    backend.close();
  });

  /** One command line, in-process: exit code, stdout lines, stderr lines. */
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err, text: out.join('\n') };
  }
  const payWithToken = async (token: string) => {
    const res = await request(bff.url).post('/api/payments').send({ order_token: token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { invoice_number: string; amount: number };
  };

  it("a merchant's path: token -> paid in the simulator -> payments show -> webhooks list -> webhooks resend", async () => {
    const token = await cli('token', '--ref', 'ORDER-1', '--item', 'Kopi Susu:18000:2', '--metadata', 'table=7');
    assert.equal(token.code, 0, token.err.join('\n'));
    const { invoice_number: invoice, amount } = await payWithToken(token.text);
    assert.equal(amount, 36_000);

    await bff.simulator!.decide(invoice, 'pay');
    const [hook] = await backend.waitFor(invoice);

    const show = await cli('payments', 'show', invoice);
    assert.equal(show.code, 0, show.err.join('\n'));
    assert.match(show.out[0], new RegExp(`^${invoice}  SUCCESS  Rp 36\\.000$`));
    assert.match(show.text, /reference\s+ORDER-1/);
    assert.match(show.text, /metadata\s+\{"table":"7"\}/);
    assert.match(show.text, /items\s+2 x Kopi Susu @ Rp 18\.000/);
    assert.match(show.text, /PENDING -> SUCCESS {2}\(notification\)/);

    const list = await cli('webhooks', 'list', '--invoice', invoice, '--json');
    const [delivery] = WebhookDeliveryList.parse(JSON.parse(list.text)).data;
    assert.deepEqual([delivery.webhook_id, delivery.status], [hook.id, 'delivered']);
    const table = await cli('webhooks', 'list', '--invoice', invoice);
    assert.match(table.out[0], /^ID\s+WEBHOOK-ID\s+TYPE\s+STATUS\s+ATTEMPTS\s+WHEN\s+LAST ERROR$/);
    assert.match(table.out[1], new RegExp(`^${delivery.id}\\s+${hook.id}\\s+payment\\.succeeded\\s+delivered\\s+1\\s`));

    const resend = await cli('webhooks', 'resend', String(delivery.id));
    assert.equal(resend.code, 0, resend.err.join('\n'));
    assert.match(resend.text, /is queued: the running BFF sends it/);
    const [, again] = await backend.waitFor(invoice, 2);
    assert.equal(again.id, hook.id, 'the running BFF sent it again, with the same webhook-id');
  });

  it('payments list: filters, pages, --json; a bad option is refused with exit code 1', async () => {
    const token = await cli('token', '--ref', 'ORDER-LIST', '--item', 'Es Teh:5000:1');
    const { invoice_number: invoice } = await payWithToken(token.text);
    const listed = await cli('payments', 'list', '--reference', 'ORDER-LIST', '--json');
    assert.deepEqual(
      PaymentList.parse(JSON.parse(listed.text)).data.map((p) => p.invoice_number),
      [invoice],
    );
    const table = await cli('payments', 'list', '--limit', '1');
    assert.match(table.out[0], /^INVOICE\s+STATUS\s+AMOUNT\s+REFERENCE\s+CREATED$/);
    assert.equal(table.out.length, 3, 'header, one payment, and where the next page starts');
    assert.match(table.out[2], /^More: --cursor \S+$/);
    const next = await cli('payments', 'list', '--limit', '1', '--cursor', table.out[2].split(' ').pop()!);
    assert.notEqual(next.out[1], table.out[1]);

    const bad = await cli('payments', 'list', '--status', 'PAID');
    assert.deepEqual([bad.code, bad.out], [1, []]);
    assert.match(bad.err[0], /status/);
    const missing = await cli('payments', 'show', 'INV-20260101-NOSUCHONE');
    assert.deepEqual([missing.code, missing.err], [1, ['No payment INV-20260101-NOSUCHONE.']]);
  });

  it('check asks DOKU now: an expiry DOKU never notifies is applied at once, and the history says so', async () => {
    const { invoice_number: invoice } = await payWithToken((await cli('token', '--item', 'Nasi:20000:1')).text);
    await bff.simulator!.decide(invoice, 'expire');
    const check = await cli('check', invoice);
    assert.equal(check.code, 0, check.err.join('\n'));
    assert.equal(check.out[0], 'DOKU says EXPIRED: transition.');
    assert.match(check.text, /PENDING -> EXPIRED {2}\(check status\)/);
    const again = await cli('check', invoice, '--json');
    assert.deepEqual(JSON.parse(again.text).check, { doku_status: 'EXPIRED', outcome: 'no_change' });
  });

  it('trigger sends a signed notification the BFF accepts; the amount is the stored one unless told', async () => {
    const { invoice_number: invoice } = await payWithToken((await cli('token', '--item', 'Sate:30000:1')).text);
    const wrong = await cli('trigger', 'success', invoice, '--amount', '1000');
    assert.equal(wrong.code, 0, wrong.err.join('\n'));
    assert.equal((await bff.store.getOrder(invoice))?.needsReview, true, 'another amount is flagged, not paid');

    const paid = await cli('trigger', 'success', invoice);
    assert.equal(paid.code, 0, paid.err.join('\n'));
    assert.match(paid.text, /^POST http:\/\/127\.0\.0\.1:\d+\/api\/notifications\/doku \(SUCCESS, 30000\) -> 200 /);
    const order = PaymentDetail.parse(JSON.parse((await cli('payments', 'show', invoice, '--json')).text));
    assert.deepEqual([order.status, order.history.map((h) => h.source)], ['SUCCESS', ['notification']]);
    assert.equal((await backend.waitFor(invoice))[0].payload.type, 'payment.succeeded');

    const unknownOutcome = await cli('trigger', 'paid', invoice);
    assert.deepEqual(
      [unknownOutcome.code, unknownOutcome.err],
      [1, ['outcome must be success or failed, not "paid".']],
    );
  });

  it('trigger is refused with production keys, before anything is sent', async () => {
    const production = {
      DOKU_ENV: 'production',
      DOKU_CLIENT_ID: 'BRN-0001-1234567890123',
      DOKU_SECRET_KEY: 'SK-production-secret-key-0123456789',
      PUBLIC_URL: 'https://pay.shop.example',
      CATALOG_FILE: join(root, 'bff/orders/demo-catalog.json'),
    };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['trigger', 'success', 'INV-1', '--amount', '5', '--url', bff.url], {
      env: { ...env, ...production },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    assert.deepEqual([code, out], [1, []]);
    assert.match(err.join('\n'), /Refused: DOKU_ENV=production/);
  });

  it('token signs what the BFF verifies (iat, exp, ref, metadata); refuses bad items and a missing secret', async () => {
    const t = await cli('token', '--ref', 'R-9', '--item', 'Teh: Tarik:7000:3', '--ttl', '120');
    const { payload } = await jwtVerify(t.text, new TextEncoder().encode(TOKEN_SECRET));
    assert.deepEqual(payload.items, [{ name: 'Teh: Tarik', price: 7000, quantity: 3 }]);
    assert.equal(payload.ref, 'R-9');
    assert.equal(payload.exp! - payload.iat!, 120);
    assert.equal((await cli('token', '--item', 'Teh')).code, 1);
    assert.match((await cli('token', '--item', 'Teh:1:1', '--ttl', '7200')).err[0], /--ttl must be 1 to 3600/);
    env.ORDER_TOKEN_SECRET = '';
    try {
      assert.match((await cli('token', '--item', 'Teh:1:1')).err[0], /ORDER_TOKEN_SECRET is not set/);
    } finally {
      env.ORDER_TOKEN_SECRET = TOKEN_SECRET;
    }
  });

  it('webhooks secret prints a whsec_ secret the configuration takes', async () => {
    const { code, text } = await cli('webhooks', 'secret');
    assert.equal(code, 0);
    assert.equal(webhookSecretProblem(text), null);
    assert.equal(
      loadConfig({ MERCHANT_WEBHOOK_URL: 'https://shop.example/h', MERCHANT_WEBHOOK_SECRET: text })
        .merchantWebhookSecret,
      text,
    );
  });

  it('the bin itself: payments show --json in a child process, exit code 0', async () => {
    const { invoice_number: invoice } = await payWithToken((await cli('token', '--item', 'Bakso:15000:1')).text);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bff/cli/main.ts', 'payments', 'show', invoice, '--json'],
      {
        cwd: root,
        env: { ...process.env, ...env },
        timeout: 20_000,
      },
    );
    assert.equal(PaymentDetail.parse(JSON.parse(stdout)).invoice_number, invoice);
  });
});
