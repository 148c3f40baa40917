// The package as a merchant gets it: packed as npm would publish it, installed with production
// dependencies only into an empty project (scripts/release-build.sh, the same script the Dockerfile
// runs), then used there: each export imported in Node, a TypeScript consumer type-checked, the bin
// serving the demo and stopping on SIGTERM, and the "mount inside my Express app" example paid through.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, killGroup, start, stopWith, waitFor, type Started } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the packaged install', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-package-'));
  const app = join(dir, 'app');
  let tarball: string;
  let running: Started | undefined;

  before(() => {
    // npm test has just built: pack that build. The SQLite addon compiled by `npm ci` is reused
    // (same version, same machine) rather than compiled again for a minute.
    execFileSync('bash', [join(root, 'scripts/release-build.sh'), app], {
      cwd: root,
      env: { ...process.env, LINKAJA_SKIP_BUILD: '1', LINKAJA_REUSE_NATIVE_FROM: join(root, 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    tarball = join(app, `linkaja-pay-${process.env.npm_package_version ?? '0.1.0'}.tgz`);
  });
  after(() => {
    killGroup(running);
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built JavaScript, the types, the bundles, README and LICENSE, and no tests', () => {
    const files = run('tar', ['tzf', tarball], dir).trim().split('\n');
    for (const f of [
      'package/package.json',
      'package/README.md',
      'package/LICENSE',
      'package/dist/linkaja-pay.js',
      'package/dist/linkaja-pay.iife.js',
      'package/dist/custom-elements.json',
      'package/dist/bff/cli/main.js',
      'package/dist/bff/index.js',
      'package/dist/bff/index.d.ts',
      'package/dist/bff/webhook.js',
      'package/dist/widget/index.js',
      'package/dist/widget/index.d.ts',
      'package/dist/bff/store/migrations/sqlite/001_initial.sql',
      'package/dist/bff/orders/demo-catalog.json',
      'package/dist/bff/demo/shop.js',
    ])
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    const unwanted = files.filter(
      (f) => /^package\/(test|scripts|examples|node_modules)\//.test(f) || /\.test\./.test(f),
    );
    assert.deepEqual(unwanted, []);
    const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(sources, [], 'TypeScript sources are not shipped (the source maps inline them)');
    console.log(`  tarball: ${(statSync(tarball).size / 1024).toFixed(1)} KB, ${files.length} files`);
  });

  it('imports each export in Node; linkaja-pay/webhook loads no Express and no database driver', () => {
    const out = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `const names = {};
         for (const spec of ['linkaja-pay', 'linkaja-pay/server', 'linkaja-pay/webhook', 'linkaja-pay/simulator'])
           names[spec] = Object.keys(await import(spec)).sort();
         console.log(JSON.stringify(names));`,
      ],
      app,
    );
    const names = JSON.parse(out) as Record<string, string[]>;
    assert.ok(names['linkaja-pay'].includes('LinkajaPay'));
    assert.ok(names['linkaja-pay/server'].includes('createBff') && names['linkaja-pay/server'].includes('loadConfig'));
    assert.ok(names['linkaja-pay/webhook'].includes('verifyWebhook'));
    assert.ok(names['linkaja-pay/simulator'].includes('startSimulator'));

    // Record every package the webhook entry resolves, through a module resolve hook.
    writeFileSync(
      join(app, 'record-hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
       export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); appendFileSync(${JSON.stringify(join(app, 'resolved.txt'))}, r.url + '\\n'); return r; }`,
    );
    const loaded = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `import { register } from 'node:module';
         import { readFileSync } from 'node:fs';
         register('./record-hooks.mjs', import.meta.url);
         await import('linkaja-pay/webhook');
         console.log(readFileSync('resolved.txt', 'utf8'));`,
      ],
      app,
    );
    for (const pkg of ['express', 'pg', 'better-sqlite3'])
      assert.doesNotMatch(loaded, new RegExp(`node_modules/${pkg}/`), `linkaja-pay/webhook loaded ${pkg}`);
  });

  it('type-checks a TypeScript consumer of the typed element events and createBff', () => {
    const consumer = join(app, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `import 'linkaja-pay';
import type { LinkajaPay } from 'linkaja-pay';
import { createBff, type ResolveOrder } from 'linkaja-pay/server';
import { verifyWebhook } from 'linkaja-pay/webhook';

const el: LinkajaPay = document.createElement('linkaja-pay');
el.sku = 'kopi-susu';
el.addEventListener('linkaja-pay:success', (e) => {
  const invoice: string = e.detail.invoice_number;
  const amount: number = e.detail.amount;
  console.log(invoice, amount);
});
el.addEventListener('linkaja-pay:error', (e) => console.log(e.detail.code));
// @ts-expect-error: the detail's amount is a number
el.addEventListener('linkaja-pay:success', (e) => { const wrong: string = e.detail.amount; console.log(wrong); });

const resolveOrder: ResolveOrder = async () => ({ lineItems: [{ name: 'Kopi Susu', price: 18000, quantity: 1 }] });
const bff = await createBff({ env: { PORT: '0' }, resolveOrder });
bff.app.listen(0);
await bff.close();
// @ts-expect-error: resolveOrder is a function
await createBff({ resolveOrder: 42 });
export const check = typeof verifyWebhook;
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(consumer, 'package.json'), '{"type":"module"}');
    // A TypeScript merchant has its own type packages (@types/node, @types/express): lend ours, beside
    // the few the production install brought.
    const types = join(app, 'node_modules', '@types');
    mkdirSync(types, { recursive: true });
    const lent = readdirSync(join(root, 'node_modules', '@types')).filter((name) => !existsSync(join(types, name)));
    for (const name of lent) symlinkSync(join(root, 'node_modules', '@types', name), join(types, name));
    try {
      run('node', [join(root, 'node_modules/typescript/bin/tsc'), '-p', consumer], consumer);
    } catch (err) {
      assert.fail(`tsc found errors in the consumer:\n${(err as { stdout?: string }).stdout}`);
    } finally {
      for (const name of lent) rmSync(join(types, name));
    }
  });

  it('linkaja-pay --help, then linkaja-pay serve: the demo, then SIGTERM and a clean exit', async () => {
    const help = run('node', ['node_modules/.bin/linkaja-pay', '--help'], app);
    assert.match(help, /Usage: linkaja-pay/);
    assert.match(help, /serve/);
    for (const command of ['payments', 'check', 'webhooks', 'trigger', 'token'])
      assert.match(help, new RegExp(command));
    assert.match(
      run('node', ['node_modules/.bin/linkaja-pay', 'webhooks', 'secret'], app),
      /^whsec_[A-Za-z0-9+/]+=*\n$/,
    );
    const port = await freePort();
    running = start('node_modules/.bin/linkaja-pay', ['serve'], {
      cwd: app,
      env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'serve.db')}` },
    });
    await waitFor(`http://127.0.0.1:${port}/healthz`, running, 20_000);
    const shop = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.match(shop, /<linkaja-pay /);
    assert.equal((await fetch(`http://127.0.0.1:${port}/linkaja-pay.js`)).status, 200);
    const { code, ms } = await stopWith(running, 'SIGTERM', 5_000);
    assert.equal(code, 0, running.output());
    console.log(`  linkaja-pay serve: SIGTERM to exit ${ms.toFixed(0)} ms`);
  });

  it('runs examples/express-app.mjs: a payment priced by the merchant code, paid through the mount', async () => {
    copyFileSync(join(root, 'examples/express-app.mjs'), join(app, 'express-app.mjs'));
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    running = start('node', ['express-app.mjs'], {
      cwd: app,
      env: {
        ...process.env,
        PORT: String(port),
        PUBLIC_URL: `${origin}/pay`,
        DATABASE_URL: `sqlite:${join(dir, 'ex.db')}`,
      },
    });
    await waitFor(`${origin}/pay/healthz`, running, 20_000);
    assert.match(await (await fetch(`${origin}/`)).text(), /<linkaja-pay bff="\/pay"/);
    const created = await fetch(`${origin}/pay/api/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify({ items: [{ sku: 'kopi-susu', quantity: 2 }] }),
    });
    assert.equal(created.status, 201);
    const p = (await created.json()) as {
      invoice_number: string;
      amount: number;
      status_token: string;
      redirect: { url: string; parameters: { name: string; value: string }[] };
    };
    assert.equal(p.amount, 36_000, 'priced by the example resolveOrder');
    const form = new URLSearchParams(p.redirect.parameters.map((x) => [x.name, x.value]));
    assert.equal((await fetch(p.redirect.url, { method: 'POST', body: form })).status, 200);
    form.set('decision', 'pay');
    const back = await fetch(p.redirect.url.replace(/\/pay$/, '/decide'), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    assert.equal(back.status, 303);
    const status = await fetch(`${origin}/pay/api/payments/${p.invoice_number}`, {
      headers: { Authorization: `Bearer ${p.status_token}` },
    });
    assert.equal(((await status.json()) as { status: string }).status, 'SUCCESS');
    const { code } = await stopWith(running, 'SIGTERM', 5_000);
    assert.equal(code, 0, running.output());
  });
});
