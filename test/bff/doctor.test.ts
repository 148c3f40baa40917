// `npm run doctor`: the configuration printed with its secrets masked, every problem and warning,
// and an exit code that says whether the BFF would start. Nothing is started.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { ConfigContext } from '../../bff/config.ts';
import { maskSecret, maskUrl, runDoctor } from '../../bff/config/doctor.ts';

const dir = mkdtempSync(join(tmpdir(), 'linkaja-doctor-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const catalogFile = join(dir, 'catalog.json');
writeFileSync(
  catalogFile,
  JSON.stringify([
    { sku: 'kopi', name: 'Kopi', price: 18000 },
    { sku: 'teh', name: 'Teh', price: 6000 },
  ]),
);

const secrets = {
  DOKU_SECRET_KEY: 'SK-live-doctor-0123456789abcdefWXYZ',
  MERCHANT_WEBHOOK_SECRET: 'whsec_ZG9jdG9yIHRlc3Qgd2ViaG9vayBzZWNyZXQsIGhvb2sh',
  ORDER_TOKEN_SECRET: 'order-token-doctor-0123456789abc-tok',
};
const LIVE = {
  DOKU_ENV: 'production',
  DOKU_CLIENT_ID: 'BRN-0001-1234567890123',
  PUBLIC_URL: 'https://pay.shop.example',
  CATALOG_FILE: catalogFile,
  MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks/linkaja?key=webhook-query-credential',
  DATABASE_URL: 'postgres://pay:db-password-hunter2@db.internal:5432/linkaja',
  ...secrets,
};

// A working directory of its own: a checkout under /tmp would draw the ephemeral-SQLite warning.
async function doctor(env: Record<string, string>, context: ConfigContext = { cwd: '/srv/shop' }) {
  let text = '';
  const code = await runDoctor(env, { write: (t: string) => (text += t) }, context);
  return { code, text };
}

/** No secret, whole, anywhere in the report. */
function assertNoSecret(text: string) {
  for (const s of [...Object.values(secrets), 'db-password-hunter2', 'webhook-query-credential']) {
    assert.ok(!text.includes(s), `${s} is printed`);
  }
}

describe('doctor', () => {
  it('prints the resolved configuration with secrets masked, and exits 0 when the BFF would start', async () => {
    const { code, text } = await doctor(LIVE);
    assert.equal(code, 0, text);
    assertNoSecret(text);
    assert.match(text, /DOKU_ENV +production\n/);
    assert.match(text, /DOKU_BASE_URL +https:\/\/api\.doku\.com\n/);
    assert.match(text, /DOKU_SECRET_KEY +\*\*\*\*WXYZ \(35 characters\)\n/);
    assert.match(text, /MERCHANT_WEBHOOK_SECRET +\*\*\*\*b2sh \(50 characters\)\n/);
    assert.match(text, /DATABASE_URL +postgres:\/\/pay:\*\*\*\*@db\.internal:5432\/linkaja\n/);
    assert.match(text, /MERCHANT_WEBHOOK_URL +https:\/\/shop\.example\/hooks\/linkaja\?key=\*\*\*\*\n/);
    assert.match(text, new RegExp(`CATALOG_FILE +${catalogFile} \\(2 products\\)\\n`));
    assert.match(
      text,
      /NOTIFICATION_PATH +\/api\/notifications\/doku \(DOKU's Notification URL: https:\/\/pay\.shop\.example\/api\/notifications\/doku\)/,
    );
    assert.match(text, /\n0 problems, 0 warnings: the BFF would start\.\n$/);
  });

  it('prints every problem and exits 1, still masking the secrets', async () => {
    const { code, text } = await doctor({
      PUBLIC_URL: 'https://pay.shop.example',
      MERCHANT_WEBHOOK_URL: LIVE.MERCHANT_WEBHOOK_URL,
      MERCHANT_WEBHOOK_SECRET: secrets.MERCHANT_WEBHOOK_SECRET,
      ORDER_TOKEN_SECRET: secrets.ORDER_TOKEN_SECRET,
    });
    assert.equal(code, 1);
    assertNoSecret(text);
    assert.match(text, /DOKU_ENV +simulator\n/);
    assert.match(text, /Problems \(the BFF refuses to start\):\n {2}config: DOKU_ENV is not set, and the simulator/);
    assert.match(text, /\n1 problem, 0 warnings: the BFF would refuse to start\.\n$/);
  });

  it('prints warnings, which do not change the exit code', async () => {
    const { code, text } = await doctor(
      { ...LIVE, MERCHANT_WEBHOOK_URL: '', MERCHANT_WEBHOOK_SECRET: '', DATABASE_URL: 'sqlite:./linkaja.db' },
      { cwd: '/tmp/shop' },
    );
    assert.equal(code, 0, text);
    assert.match(text, /Warnings:\n {2}warning: MERCHANT_WEBHOOK_URL is not set: /);
    assert.match(text, /\n {2}warning: DATABASE_URL keeps SQLite at \/tmp\/shop\/linkaja\.db /);
    assert.match(text, /\n0 problems, 2 warnings: the BFF would start\.\n$/);
  });

  it('masks a password wherever a URL is printed', async () => {
    const { code, text } = await doctor({ ...LIVE, PUBLIC_URL: 'https://ops:url-password-hunter3@pay.shop.example' });
    assert.equal(code, 0, text);
    assert.ok(!text.includes('url-password-hunter3'));
    assert.match(text, /PUBLIC_URL +https:\/\/ops:\*\*\*\*@pay\.shop\.example\/?\n/);
  });

  it("says that a public demo's payments are fake", async () => {
    const { code, text } = await doctor({ PUBLIC_URL: 'https://demo.example', SIMULATOR_PUBLIC: '1' });
    assert.equal(code, 0, text);
    assert.match(text, /DOKU_ENV +simulator \(SIMULATOR_PUBLIC=1: payments are fake\)\n/);
  });

  it('reads the catalog file as the start does: an unreadable one is a problem', async () => {
    const { code, text } = await doctor({ ...LIVE, CATALOG_FILE: join(dir, 'missing.json') });
    assert.equal(code, 1);
    assert.match(text, /CATALOG_FILE +.*missing\.json \(unreadable\)\n/);
    assert.match(text, /config: CATALOG_FILE .*missing\.json: ENOENT/);
  });

  it('says when a value cannot be read at all, and exits 1', async () => {
    const { code, text } = await doctor({ PORT: 'eighty', DOKU_SECRET_KEY: secrets.DOKU_SECRET_KEY });
    assert.equal(code, 1);
    assertNoSecret(text);
    assert.match(text, /\(not resolved: a value below cannot be read\)/);
    assert.match(text, /config: PORT must be a whole number\n/);
  });

  it('shows at most the last 4 characters of a secret, and none of a short one', () => {
    assert.equal(maskSecret('0123456789abcdef'), '****cdef (16 characters)');
    assert.equal(maskSecret('0123456789abcde'), '**** (15 characters)');
    assert.equal(maskSecret(''), '**** (0 characters)');
    assert.equal(maskUrl('sqlite:./data/linkaja.db'), 'sqlite:./data/linkaja.db');
    assert.equal(maskUrl('not a url'), '****');
  });

  it('runs as linkaja-pay doctor (npm run doctor): prints the report and exits non-zero on a problem', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bff/cli/main.ts', 'doctor'],
        {
          cwd: root,
          timeout: 20_000,
          env: { PATH: process.env.PATH, PUBLIC_URL: 'https://pay.shop.example', ...secrets },
        },
        (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout }),
      );
    });
    assert.equal(result.code, 1, result.stdout);
    assertNoSecret(result.stdout);
    assert.match(result.stdout, /config: DOKU_ENV is not set, and the simulator/);
  });
});
