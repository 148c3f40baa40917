// The configuration refuses what is unsafe, whatever the operator forgot, and warns of what is likely
// wrong. Each refusal is checked with its exact words: they tell the operator what to set instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig, ConfigError, loadConfig, type ConfigContext } from '../../bff/config.ts';
import { SIMULATOR_CLIENT_ID, SIMULATOR_SECRET_KEY } from '../../bff/config/doku-env.ts';

type Env = Record<string, string>;

/** A production configuration that passes every rule. */
const LIVE: Env = {
  DOKU_ENV: 'production',
  DOKU_CLIENT_ID: 'BRN-0001-1234567890123',
  DOKU_SECRET_KEY: 'SK-live-0123456789abcdef0123456789',
  PUBLIC_URL: 'https://pay.shop.example',
  CATALOG_FILE: './catalog.json',
  MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks/linkaja',
  MERCHANT_WEBHOOK_SECRET: 'whsec_bGlua2FqYS1wYXkgdGVzdCB3ZWJob29rIHNlY3JldCE=',
  DATABASE_URL: 'sqlite:/var/lib/linkaja-pay/linkaja.db',
};
const without = (env: Env, ...names: string[]) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));

const problems = (env: Env, context?: ConfigContext) => {
  try {
    loadConfig(env, context);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  assert.fail('expected a ConfigError');
};
// A working directory of their own: a checkout under /tmp would draw the ephemeral-SQLite warning.
const warnings = (env: Env, context: ConfigContext = { cwd: '/srv/shop' }) => {
  const verdict = checkConfig(env, context);
  assert.deepEqual(verdict.problems, [], 'no problem');
  return verdict.warnings;
};

const SIMULATOR_DEFAULTED =
  'DOKU_ENV is not set, and the simulator (the default) only runs on a loopback PUBLIC_URL (https://pay.shop.example ' +
  'is not): set DOKU_ENV=sandbox or production with your DOKU credentials, or SIMULATOR_PUBLIC=1 for a public demo';
const SIMULATOR_GIVEN =
  'DOKU_ENV=simulator only runs on a loopback PUBLIC_URL (https://pay.shop.example is not): its keys are public, so ' +
  'anyone could fake a payment; set DOKU_ENV=sandbox or production with your DOKU credentials, or SIMULATOR_PUBLIC=1 ' +
  'for a public demo';
const WEBHOOK_ON_PUBLIC_SIMULATOR =
  'MERCHANT_WEBHOOK_URL is refused with SIMULATOR_PUBLIC=1: anyone can fake a payment on a public simulator, and ' +
  'your backend would take it as paid; unset MERCHANT_WEBHOOK_URL (test your webhook with DOKU_ENV=sandbox)';
const PUBLIC_URL_REQUIRED =
  'PUBLIC_URL is required with DOKU_ENV=production: set it to the https URL where browsers and DOKU reach this BFF ' +
  '(e.g. https://pay.your-shop.example)';
const PUBLIC_URL_HTTPS =
  "PUBLIC_URL must be https with DOKU_ENV=production (http only on a loopback host): customers and DOKU's " +
  'notifications come to it; serve the BFF over TLS and set PUBLIC_URL=https://...';
const PUBLIC_URL_QUERY =
  'PUBLIC_URL must not have a query or fragment: give the scheme, host and an optional path ' +
  '(e.g. https://your-shop.example/pay)';
const DOKU_BASE_URL_HTTPS =
  'DOKU_BASE_URL must be https (http only on a loopback host): requests to DOKU carry your Client-Id and ' +
  "signatures; use DOKU's https URL, or unset DOKU_BASE_URL to use DOKU_ENV's";
const SIMULATOR_CLIENT = "DOKU_CLIENT_ID is the simulator's public Client-Id: set your Client ID from DOKU Back Office";
const SIMULATOR_SECRET =
  "DOKU_SECRET_KEY is the simulator's public Secret Key, with which anyone can sign: set your Secret Key from DOKU " +
  'Back Office';
const SHORT = (variable: string) => `${variable} must be at least 32 characters (generate one: openssl rand -hex 32)`;
const COLLIDES = (path: string, route: string) =>
  `NOTIFICATION_PATH ${path} collides with the BFF's own ${route} route: use another path, such as ` +
  '/api/notifications/doku (the default)';
const DEMO_CATALOG =
  'CATALOG_FILE is not set, and the demo catalog cannot price real payments: set CATALOG_FILE to your catalog ' +
  '([{"sku","name","price"}]), ORDER_TOKEN_SECRET to price with order tokens signed by your backend, or give ' +
  'resolveOrder when you mount the BFF in your own app';

describe('the simulator runs only where the BFF is clearly local', () => {
  it("refuses the issue's set-up: a public PUBLIC_URL and a merchant webhook, DOKU_ENV forgotten", () => {
    assert.deepEqual(
      problems({
        PUBLIC_URL: 'https://pay.shop.example',
        MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks/linkaja',
        MERCHANT_WEBHOOK_SECRET: LIVE.MERCHANT_WEBHOOK_SECRET,
      }),
      [SIMULATOR_DEFAULTED],
    );
  });
  it('refuses DOKU_ENV=simulator on a public PUBLIC_URL too, saying why', () => {
    assert.deepEqual(problems({ DOKU_ENV: 'simulator', PUBLIC_URL: 'https://pay.shop.example/' }), [SIMULATOR_GIVEN]);
  });
  it('runs on loopback hosts, and only on those named literally', () => {
    for (const url of ['http://localhost:8080', 'http://127.0.0.1:3000', 'http://127.9.8.7', 'http://[::1]:8080']) {
      assert.equal(loadConfig({ PUBLIC_URL: url }).dokuEnv, 'simulator', url);
    }
    for (const url of ['http://localhost.shop.example', 'http://127.0.0.1.nip.io', 'http://0.0.0.0:8080']) {
      assert.match(problems({ PUBLIC_URL: url })[0], /^DOKU_ENV is not set, and the simulator/, url);
    }
  });
  it('runs on a public URL with SIMULATOR_PUBLIC=1 (a shared demo), and then refuses a merchant webhook', () => {
    const demo = loadConfig({ PUBLIC_URL: 'https://demo.example', SIMULATOR_PUBLIC: '1' });
    assert.equal(demo.simulatorPublic, true);
    assert.equal(loadConfig({}).simulatorPublic, false);
    assert.deepEqual(
      problems({
        PUBLIC_URL: 'https://demo.example',
        SIMULATOR_PUBLIC: '1',
        MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks',
        MERCHANT_WEBHOOK_SECRET: LIVE.MERCHANT_WEBHOOK_SECRET,
      }),
      [WEBHOOK_ON_PUBLIC_SIMULATOR],
    );
    // On a loopback URL the webhook stays possible: a developer testing their own backend.
    const local = loadConfig({
      MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:4000/hooks',
      MERCHANT_WEBHOOK_SECRET: LIVE.MERCHANT_WEBHOOK_SECRET,
    });
    assert.equal(local.merchantWebhookUrl, 'http://127.0.0.1:4000/hooks');
  });
  it('takes SIMULATOR_PUBLIC as 1 or nothing; SIMULATOR_PUBLIC=0 is no public demo', () => {
    assert.deepEqual(problems({ SIMULATOR_PUBLIC: 'yes' }), [
      'SIMULATOR_PUBLIC must be 1 (the simulator on a public demo server) or unset',
    ]);
    assert.deepEqual(problems({ PUBLIC_URL: 'https://pay.shop.example', SIMULATOR_PUBLIC: '0' }), [
      SIMULATOR_DEFAULTED,
    ]);
  });
});

describe('outside the simulator', () => {
  it('passes a complete live configuration', () => {
    const c = loadConfig(LIVE);
    assert.deepEqual([c.dokuEnv, c.publicUrl, c.catalogFile], ['production', LIVE.PUBLIC_URL, './catalog.json']);
  });
  it('requires PUBLIC_URL', () => {
    assert.deepEqual(problems(without(LIVE, 'PUBLIC_URL')), [PUBLIC_URL_REQUIRED]);
  });
  it('requires https for PUBLIC_URL and DOKU_BASE_URL, except on a loopback host', () => {
    assert.deepEqual(problems({ ...LIVE, PUBLIC_URL: 'http://pay.shop.example' }), [PUBLIC_URL_HTTPS]);
    assert.deepEqual(problems({ ...LIVE, DOKU_BASE_URL: 'http://doku.internal:8080' }), [DOKU_BASE_URL_HTTPS]);
    // A scripted DOKU on this machine, for local tests.
    const local = loadConfig({ ...LIVE, PUBLIC_URL: 'http://127.0.0.1:8080', DOKU_BASE_URL: 'http://localhost:9000' });
    assert.equal(local.dokuBaseUrl, 'http://localhost:9000');
  });
  it('refuses a query or fragment in PUBLIC_URL (here and in the simulator)', () => {
    assert.deepEqual(problems({ ...LIVE, PUBLIC_URL: 'https://pay.shop.example/?src=x' }), [PUBLIC_URL_QUERY]);
    assert.deepEqual(problems({ PUBLIC_URL: 'http://localhost:8080/#pay' }), [PUBLIC_URL_QUERY]);
  });
  it("refuses the simulator's public Client-Id and Secret Key", () => {
    assert.deepEqual(
      problems({ ...LIVE, DOKU_CLIENT_ID: SIMULATOR_CLIENT_ID, DOKU_SECRET_KEY: SIMULATOR_SECRET_KEY }),
      [SIMULATOR_CLIENT, SIMULATOR_SECRET],
    );
  });
  it('refuses the demo catalog, unless CATALOG_FILE, ORDER_TOKEN_SECRET or code prices the orders', () => {
    const noCatalog = without(LIVE, 'CATALOG_FILE');
    assert.deepEqual(problems(noCatalog), [DEMO_CATALOG]);
    const tokens = loadConfig({ ...noCatalog, ORDER_TOKEN_SECRET: 'order-token-secret-0123456789abcdef' });
    assert.equal(tokens.catalogFile, undefined, 'no catalog at all: the demo one never prices a live SKU');
    assert.equal(loadConfig(noCatalog, { resolveOrder: true }).catalogFile, undefined);
  });
  it('reports every refusal at once, one line each', () => {
    assert.deepEqual(
      problems({
        DOKU_ENV: 'sandbox',
        DOKU_CLIENT_ID: SIMULATOR_CLIENT_ID,
        DOKU_SECRET_KEY: SIMULATOR_SECRET_KEY,
        DOKU_BASE_URL: 'http://doku.internal',
        NOTIFICATION_PATH: '/healthz',
      }),
      [
        PUBLIC_URL_REQUIRED.replace('production', 'sandbox'),
        DOKU_BASE_URL_HTTPS,
        SIMULATOR_CLIENT,
        SIMULATOR_SECRET,
        COLLIDES('/healthz', '/healthz'),
        DEMO_CATALOG,
      ],
    );
  });
});

describe('everywhere', () => {
  it('wants an order-token secret of 32 characters or more, and a Standard Webhooks webhook secret', () => {
    assert.deepEqual(problems({ ...LIVE, MERCHANT_WEBHOOK_SECRET: 'x'.repeat(64) }), [
      'MERCHANT_WEBHOOK_SECRET must be a Standard Webhooks secret: whsec_ then base64 of 24 to 64 random bytes (make one with: npx linkaja-pay webhooks secret)',
    ]);
    assert.deepEqual(problems({ ORDER_TOKEN_SECRET: 'x'.repeat(31) }), [SHORT('ORDER_TOKEN_SECRET')]);
    assert.ok(loadConfig({ ...LIVE, ORDER_TOKEN_SECRET: 'y'.repeat(32) }));
  });
  it("keeps NOTIFICATION_PATH clear of the BFF's own routes (as Express matches them)", () => {
    const collisions: Array<[string, string]> = [
      ['/api/payments', '/api/payments'],
      ['/api/payments/doku', '/api/payments'],
      ['/API/Payments/', '/api/payments'],
      ['/healthz', '/healthz'],
      ['/readyz/', '/readyz'],
      ['/linkaja-pay.js', '/linkaja-pay'],
      ['/simulator', '/simulator'],
      ['/simulator/notify', '/simulator'],
    ];
    for (const [path, route] of collisions) {
      assert.deepEqual(problems({ ...LIVE, NOTIFICATION_PATH: path }), [COLLIDES(path, route)], path);
    }
    for (const path of ['/api/notifications/doku', '/hooks/doku', '/api/payments-doku', '/healthz2']) {
      assert.equal(loadConfig({ ...LIVE, NOTIFICATION_PATH: path }).notificationPath, path);
    }
  });
  it('echoes no secret: a password in PUBLIC_URL or the simulator key never reaches a problem', () => {
    const lines = [
      ...problems({ PUBLIC_URL: 'https://admin:hunter2-secret@pay.shop.example' }),
      ...problems({ ...LIVE, DOKU_SECRET_KEY: SIMULATOR_SECRET_KEY }),
    ];
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.ok(!line.includes('hunter2-secret') && !line.includes(SIMULATOR_SECRET_KEY), line);
    }
  });
});

describe('warnings (printed by the doctor and logged at start; they refuse nothing)', () => {
  it('none for a complete live configuration', () => {
    assert.deepEqual(warnings(LIVE), []);
  });
  it('no merchant webhook: fulfilment only by polling', () => {
    assert.deepEqual(warnings(without(LIVE, 'MERCHANT_WEBHOOK_URL', 'MERCHANT_WEBHOOK_SECRET')), [
      'MERCHANT_WEBHOOK_URL is not set: your backend hears of a payment only by polling GET /api/payments/:invoice; ' +
        'set MERCHANT_WEBHOOK_URL and MERCHANT_WEBHOOK_SECRET to be told of each result',
    ]);
  });
  it('SQLite in a temporary directory, given absolute or relative to a temporary working directory', () => {
    const tail =
      ', a temporary directory: a reboot or a cleaner may delete it, and with it every order and the record of ' +
      'who paid; use a lasting path (e.g. sqlite:/var/lib/linkaja-pay/linkaja.db) or PostgreSQL';
    assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: 'sqlite:/tmp/pay.db' }), [
      `DATABASE_URL keeps SQLite at /tmp/pay.db, under /tmp${tail}`,
    ]);
    assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: 'sqlite:/dev/shm/pay.db' }), [
      `DATABASE_URL keeps SQLite at /dev/shm/pay.db, under /dev/shm${tail}`,
    ]);
    assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: 'sqlite:./data/pay.db' }, { cwd: '/var/tmp/shop' }), [
      'DATABASE_URL keeps SQLite at /var/tmp/shop/data/pay.db (./data/pay.db from the working directory ' +
        `/var/tmp/shop), under /var/tmp${tail}`,
    ]);
    assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: 'sqlite::memory:' }), [
      'DATABASE_URL keeps SQLite in memory: every order is lost when the process stops; use a file path or PostgreSQL',
    ]);
    for (const url of ['sqlite:/tmpfiles/pay.db', 'sqlite:/srv/tmp/pay.db', 'postgres://pay@db/linkaja']) {
      assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: url }), [], url);
    }
    assert.deepEqual(warnings({ ...LIVE, DATABASE_URL: 'sqlite:./data/pay.db' }, { cwd: '/srv/shop' }), []);
  });
  it('a PUBLIC_URL path (a proxy in front) with TRUST_PROXY=0', () => {
    assert.deepEqual(warnings({ ...LIVE, PUBLIC_URL: 'https://shop.example/pay' }), [
      'PUBLIC_URL has a path (/pay), so a reverse proxy is likely in front, but TRUST_PROXY is 0: rate limits would ' +
        "count every customer as the proxy's one address; set TRUST_PROXY=1 (the number of proxies in front)",
    ]);
    assert.deepEqual(warnings({ ...LIVE, PUBLIC_URL: 'https://shop.example/pay', TRUST_PROXY: '1' }), []);
  });
  it('LOG_LEVEL=debug or trace in production', () => {
    assert.deepEqual(warnings({ ...LIVE, LOG_LEVEL: 'trace' }), [
      'LOG_LEVEL=trace with DOKU_ENV=production: more detail than live traffic needs; use info (the default) ' +
        'unless you are chasing a problem',
    ]);
    assert.deepEqual(warnings({ ...LIVE, DOKU_ENV: 'sandbox', LOG_LEVEL: 'debug' }), []);
  });
  it('SIMULATOR_PUBLIC where it does nothing (a public demo itself is said by the banner, not warned of)', () => {
    assert.deepEqual(warnings({ PUBLIC_URL: 'https://demo.example', SIMULATOR_PUBLIC: '1' }), []);
    assert.deepEqual(warnings({ ...LIVE, SIMULATOR_PUBLIC: '1' }), [
      'SIMULATOR_PUBLIC has no effect with DOKU_ENV=production: unset it',
    ]);
  });
  it('a value that cannot be read leaves no configuration to judge', () => {
    const verdict = checkConfig({ PORT: 'eighty' });
    assert.equal(verdict.config, undefined);
    assert.deepEqual(verdict.problems, ['PORT must be a whole number']);
  });
});
