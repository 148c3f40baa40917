// @web/test-runner for the <linkaja-pay> element: Debian's Chromium, and the REAL BFF (with the
// embedded DOKU simulator) on its own origin, so every test crosses CORS like a merchant page does.
// Run under `node --import tsx` (see package.json) so the TypeScript test harness can be imported.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { startTestBff } from './test/helpers/bff.ts';
import { sendNotification } from './test/helpers/notify.ts';

/** A free port on 127.0.0.1, so the BFF can allow the test page's origin before wtr starts. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
/** Test-only secret: the tests sign order tokens in the browser as a merchant's backend would. */
const orderTokenSecret = 'widget-tests-order-token-secret-0123456789';
// Reconciliation running, as under `npm start`: the simulator, like DOKU, notifies no expiry.
const bff = await startTestBff({
  env: { ALLOWED_ORIGINS: origin, ORDER_TOKEN_SECRET: orderTokenSecret },
  reconcile: { start: true },
});
/** A second BFF whose event streams end after 1 s (the real ones end after 30 min): the reconnect tests use it. */
const shortStreamBff = await startTestBff({
  env: { ALLOWED_ORIGINS: origin },
  deps: { streams: { maxStreamMs: 1000 } },
});

/**
 * Two BFFs that refuse every event stream, as a busy one does: 503 (it holds all the streams it will)
 * and 429 (this address holds too many). The element has to poll.
 */
const streamsFullBff = await startTestBff({ env: { ALLOWED_ORIGINS: origin }, deps: { streams: { maxStreams: 0 } } });
const streamsCappedBff = await startTestBff({
  env: { ALLOWED_ORIGINS: origin },
  deps: { streams: { maxStreamsPerIp: 0 } },
});

/** dist/sri.json's hashes. Without them the page would say integrity="undefined", which browsers ignore. */
function sriHashes() {
  const sri = existsSync('dist/sri.json') ? JSON.parse(readFileSync('dist/sri.json', 'utf8')) : {};
  const missing = ['linkaja-pay.js', 'linkaja-pay.iife.js'].filter((f) => !/^sha384-/.test(sri[f] ?? ''));
  if (missing.length)
    throw new Error(`dist/sri.json has no SRI hash for ${missing.join(', ')}: run \`npm run build\` first`);
  return sri;
}

/**
 * A merchant page under a strict CSP that loads the built bundles from the BFF as the README says:
 * with the SRI hashes of dist/sri.json (and both bundles at once, to prove the double-include guard).
 */
const strictPage = (bffUrl) => {
  const sri = sriHashes();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>strict CSP page</title>
<script type="module" src="/test/widget/csp-probe.js"></script>
<script type="module" src="${bffUrl}/linkaja-pay.js" integrity="${sri['linkaja-pay.js']}" crossorigin="anonymous"></script>
<script src="${bffUrl}/linkaja-pay.iife.js" integrity="${sri['linkaja-pay.iife.js']}" crossorigin="anonymous" defer></script>
</head><body><linkaja-pay bff="${bffUrl}" sku="kopi-susu" locale="en"></linkaja-pay></body></html>`;
};

export default {
  files: 'test/widget/**/*.test.ts',
  hostname: '127.0.0.1',
  port,
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 15000 } },
  testsFinishTimeout: 120000,
  // Hands the BFF's URL (and the order-token secret) to the tests; the runner's own page may use an inline script.
  testRunnerHtml: (testFramework) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"></head><body>
<script>window.__LINKAJA_BFF__ = ${JSON.stringify(bff.url)}; window.__LINKAJA_SHORT_STREAM_BFF__ = ${JSON.stringify(shortStreamBff.url)};
window.__LINKAJA_REFUSING_BFFS__ = ${JSON.stringify({ 503: streamsFullBff.url, 429: streamsCappedBff.url })};
window.__ORDER_TOKEN_SECRET__ = ${JSON.stringify(orderTokenSecret)};</script>
<script type="module" src="${testFramework}"></script>
</body></html>`,
  middleware: [
    // DOKU's side, for the tests that need it: a signed HTTP Notification (a late SUCCESS, say) to the BFF.
    async (ctx, next) => {
      if (ctx.path !== '/test-hooks/notify') return next();
      const { invoice, amount, status } = ctx.query;
      const sent = await sendNotification(bff.url, bff.config, { invoice, amount: Number(amount), status });
      ctx.type = 'json';
      ctx.body = { status: sent.status };
    },
    // Where DOKU sends the customer back after a payment: the callback URL the BFF gave the simulator.
    (ctx, next) => {
      if (ctx.path !== '/test-hooks/return-url') return next();
      ctx.type = 'json';
      ctx.body = { url: bff.simulator?.payment(String(ctx.query.invoice))?.request.order.callback_url ?? null };
    },
    (ctx, next) => {
      if (ctx.path !== '/strict-csp.html') return next();
      let page;
      try {
        page = strictPage(bff.url);
      } catch (e) {
        // The strict-CSP test fetches the page first and fails with this message.
        ctx.status = 500;
        ctx.body = e.message;
        return;
      }
      ctx.set(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'self' ${bff.url}; style-src 'self'; connect-src ${bff.url}; form-action ${bff.url}`,
      );
      ctx.type = 'html';
      ctx.body = page;
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    {
      name: 'linkaja-pay:test-bff',
      serverStop: () => Promise.all([bff, shortStreamBff, streamsFullBff, streamsCappedBff].map((b) => b.close())),
    },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
};
