// The standalone server's start: it refuses an unsafe configuration before it opens or listens on
// anything, and its banner names the DOKU it talks to.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../bff/config.ts';
import { FAKE_PAYMENTS_LINE, startBanner } from '../../bff/config/banner.ts';

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses the issue's set-up: exit 1, one config: line, nothing opened", async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bff/server.ts'],
        {
          cwd: root,
          // Were it to start, it would be stopped here (and the test fail on its exit code).
          timeout: 15_000,
          env: {
            PATH: process.env.PATH,
            PORT: '0',
            DATABASE_URL: `sqlite:${join(dir, 'data', 'linkaja.db')}`,
            PUBLIC_URL: 'https://pay.shop.example',
            MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks/linkaja',
            MERCHANT_WEBHOOK_SECRET: 'whsec_bGlua2FqYS1wYXkgdGVzdCB3ZWJob29rIHNlY3JldCE=',
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [
      'config: DOKU_ENV is not set, and the simulator (the default) only runs on a loopback PUBLIC_URL ' +
        '(https://pay.shop.example is not): set DOKU_ENV=sandbox or production with your DOKU credentials, or ' +
        'SIMULATOR_PUBLIC=1 for a public demo',
    ]);
    assert.deepEqual(readdirSync(dir), [], 'no database was created');
  });
});

describe('the start banner', () => {
  const live = {
    DOKU_CLIENT_ID: 'BRN-0001-1234567890123',
    DOKU_SECRET_KEY: 'SK-banner-0123456789abcdef',
    PUBLIC_URL: 'https://pay.shop.example',
    CATALOG_FILE: './catalog.json',
  };
  it('names the DOKU environment in use, and never a secret', () => {
    assert.deepEqual(startBanner(loadConfig({})), [
      'linkaja-pay is running (demo shop): open http://localhost:8080/',
      'DOKU: simulator (embedded; its keys are public, its payments fake)',
    ]);
    assert.deepEqual(startBanner(loadConfig({ ...live, DOKU_ENV: 'sandbox' })), [
      'linkaja-pay is running at https://pay.shop.example',
      'DOKU: sandbox (test payments, no money moves) at https://api-sandbox.doku.com',
    ]);
    const production = startBanner(loadConfig({ ...live, DOKU_ENV: 'production' }));
    assert.equal(production[1], 'DOKU: production (real payments) at https://api.doku.com');
    assert.ok(!production.join('\n').includes(live.DOKU_SECRET_KEY));
  });
  it('says in capitals that payments are fake on a public simulator', () => {
    const lines = startBanner(loadConfig({ PUBLIC_URL: 'https://demo.example', SIMULATOR_PUBLIC: '1' }));
    assert.equal(FAKE_PAYMENTS_LINE, 'SIMULATOR: PAYMENTS ARE FAKE — NO MONEY MOVES');
    assert.deepEqual(lines.at(-1), FAKE_PAYMENTS_LINE);
    assert.ok(!startBanner(loadConfig({})).includes(FAKE_PAYMENTS_LINE));
  });
});
