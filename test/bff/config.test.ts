import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../bff/config.ts';
import { SIMULATOR_CLIENT_ID } from '../../bff/config/doku-env.ts';

/** A live configuration that passes every rule (sandbox credentials, an https PUBLIC_URL, a catalog). */
const SANDBOX = {
  DOKU_ENV: 'sandbox',
  DOKU_CLIENT_ID: 'BRN-1',
  DOKU_SECRET_KEY: 'SK-1',
  PUBLIC_URL: 'https://pay.shop.example',
  CATALOG_FILE: './catalog.json',
};

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  assert.fail('expected a ConfigError');
};

describe('loadConfig', () => {
  it('runs on the embedded defaults with no configuration', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, 'http://localhost:8080');
    assert.equal(c.dokuEnv, 'simulator');
    assert.equal(c.dokuClientId, SIMULATOR_CLIENT_ID);
    assert.equal(c.dokuBaseUrl, undefined, 'the embedded simulator: its loopback port is found at start-up');
    assert.equal(c.databaseUrl, 'sqlite:./data/linkaja.db');
    assert.deepEqual(c.allowedOrigins, ['http://localhost:8080']);
    assert.equal(c.notificationPath, '/api/notifications/doku');
    assert.equal(c.dokuTimeoutMs, 30_000);
    assert.equal(c.orderExpiryMs, 15 * 60_000);
  });
  it('names no DOKU base URL for the embedded simulator (its loopback port is found at start-up), unless told', () => {
    assert.equal(
      loadConfig({ PORT: '3000', PUBLIC_URL: 'https://shop.example/pay/', SIMULATOR_PUBLIC: '1' }).dokuBaseUrl,
      undefined,
    );
    assert.equal(loadConfig({ DOKU_BASE_URL: 'http://127.0.0.1:9/x/' }).dokuBaseUrl, 'http://127.0.0.1:9/x');
  });
  it('derives the public URLs (with the proxy path) and the reconciliation lease in one place', () => {
    const c = loadConfig({
      PORT: '3000',
      PUBLIC_URL: 'https://shop.example/pay/',
      SIMULATOR_PUBLIC: '1',
      DOKU_TIMEOUT_MS: '12000',
    });
    assert.equal(c.notificationUrl, 'https://shop.example/pay/api/notifications/doku');
    assert.equal(c.simulatorPublicUrl, 'https://shop.example/pay/simulator');
    assert.equal(c.reconcileLeaseMs, 17_000);
    assert.equal(loadConfig({ NOTIFICATION_PATH: '/hooks/doku' }).notificationUrl, 'http://localhost:8080/hooks/doku');
  });
  it("waits DOKU's minute before the first Check Status; the simulator checks at once, every 2 s", () => {
    const sim = loadConfig({});
    assert.deepEqual([sim.reconcileMinAgeMs, sim.reconcileIntervalMs], [0, 2000]);
    const sandbox = loadConfig(SANDBOX);
    assert.deepEqual([sandbox.reconcileMinAgeMs, sandbox.reconcileIntervalMs], [60_000, 30_000]);
    assert.equal(loadConfig({ RECONCILE_INTERVAL_SECONDS: '7' }).reconcileIntervalMs, 7000);
  });
  it('needs credentials for sandbox, one line per problem', () => {
    assert.deepEqual(problems({ DOKU_ENV: 'sandbox' }), [
      'DOKU_CLIENT_ID is required when DOKU_ENV=sandbox',
      'DOKU_SECRET_KEY is required when DOKU_ENV=sandbox',
    ]);
  });
  it('uses the DOKU hosts per environment, and DOKU_BASE_URL overrides', () => {
    assert.equal(loadConfig(SANDBOX).dokuBaseUrl, 'https://api-sandbox.doku.com');
    assert.equal(loadConfig({ ...SANDBOX, DOKU_ENV: 'production' }).dokuBaseUrl, 'https://api.doku.com');
    assert.equal(
      loadConfig({ ...SANDBOX, DOKU_ENV: 'production', DOKU_BASE_URL: 'https://doku.test/' }).dokuBaseUrl,
      'https://doku.test',
    );
  });
  it('reports every bad value at once', () => {
    const p = problems({ PORT: 'eighty', DOKU_ENV: 'prod', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'ftp://x' });
    assert.equal(p.length, 4);
    assert.ok(p.some((l) => l.startsWith('PORT ')));
    assert.ok(p.some((l) => l.startsWith('DOKU_ENV ')));
    assert.ok(p.some((l) => l.startsWith('DATABASE_URL ')));
    assert.ok(p.some((l) => l.startsWith('PUBLIC_URL ')));
  });
  it('takes sqlite:PATH, postgres:// and postgresql:// as DATABASE_URL, as the store and bus openers read it', () => {
    for (const url of ['sqlite:/var/lib/linkaja.db', 'postgres://pay@db/linkaja', 'postgresql://pay@db/linkaja']) {
      assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
    }
    assert.deepEqual(problems({ DATABASE_URL: 'sqlite:' }), [
      'DATABASE_URL sqlite: needs a file path (sqlite:./data/linkaja.db)',
    ]);
    for (const url of ['postgres:db', 'postgres://', 'mysql://user:hunter2@db/x']) {
      assert.deepEqual(problems({ DATABASE_URL: url }), ['DATABASE_URL must be sqlite:PATH or postgres://...']);
    }
  });
  it('parses ALLOWED_ORIGINS and refuses paths in them', () => {
    // The BFF's own origin stays allowed (its demo shop and simulator call it), listed once.
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'https://shop.example, http://localhost:3000' }).allowedOrigins, [
      'http://localhost:8080',
      'https://shop.example',
      'http://localhost:3000',
    ]);
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'http://localhost:8080' }).allowedOrigins, [
      'http://localhost:8080',
    ]);
    assert.match(problems({ ALLOWED_ORIGINS: 'https://shop.example/path' })[0], /ALLOWED_ORIGINS/);
  });
  it('requires a webhook secret with a webhook URL and a long order token secret', () => {
    assert.deepEqual(problems({ MERCHANT_WEBHOOK_URL: 'https://m.example/hook' }), [
      'MERCHANT_WEBHOOK_SECRET is required when MERCHANT_WEBHOOK_URL is set',
    ]);
    assert.match(problems({ ORDER_TOKEN_SECRET: 'short' })[0], /ORDER_TOKEN_SECRET/);
  });
  it('takes only a Standard Webhooks secret (whsec_ and base64), and says how to make one', () => {
    const [problem] = problems({
      MERCHANT_WEBHOOK_URL: 'https://m.example/hook',
      MERCHANT_WEBHOOK_SECRET: 'a-long-plain-password-0123456789',
    });
    assert.match(problem, /^MERCHANT_WEBHOOK_SECRET must be a Standard Webhooks secret: whsec_/);
    assert.match(problem, /linkaja-pay webhooks secret/);
    assert.doesNotMatch(problem, /a-long-plain-password/, 'the value is never echoed');
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal(
      loadConfig({ MERCHANT_WEBHOOK_URL: 'https://m.example/hook', MERCHANT_WEBHOOK_SECRET: secret })
        .merchantWebhookSecret,
      secret,
    );
  });
  it('takes a server API key and a metrics token of 32 characters or more', () => {
    assert.match(problems({ MERCHANT_API_KEY: 'short' })[0], /^MERCHANT_API_KEY must be at least 32 characters/);
    assert.match(problems({ METRICS_TOKEN: 'short' })[0], /^METRICS_TOKEN must be at least 32 characters/);
    const key = 'k'.repeat(32);
    assert.deepEqual(
      [loadConfig({ MERCHANT_API_KEY: key }).merchantApiKey, loadConfig({}).merchantApiKey],
      [key, undefined],
    );
  });
  it('trims stray white space around a pasted secret (a common copy-paste mistake)', () => {
    assert.equal(loadConfig({ ...SANDBOX, DOKU_SECRET_KEY: ' SK-1\n' }).dokuSecretKey, 'SK-1');
  });
  it('never echoes a value in a problem', () => {
    const p = problems({
      DOKU_ENV: 'sandbox',
      DOKU_CLIENT_ID: 'BRN-1',
      DOKU_SECRET_KEY: 'SK-very-secret',
      DOKU_TIMEOUT_MS: 'SK-very-secret',
    });
    assert.ok(p.every((l) => !l.includes('SK-very-secret')));
  });
});
