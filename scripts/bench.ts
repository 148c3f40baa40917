// npm run bench: throughput and latency of the routes that matter, as a table. Each figure is shown
// next to a baseline measured in the same run (GET /healthz on the same server: the cost of HTTP and
// Express alone), so the ratios mean something on any machine. Bounded in count and time.
import { performance } from 'node:perf_hooks';
import { hashStatusToken, newStatusToken } from '../bff/orders/ids.ts';
import { startTestBff, type TestBff } from '../test/helpers/bff.ts';
import { signedNotification } from '../test/helpers/notify.ts';
import { openStream } from '../test/helpers/sse.ts';
import { resolveTestPg } from '../test/helpers/pg.ts';

const N = Number(process.env.BENCH_N ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Row {
  what: string;
  value: string;
  ratio: string;
}
const rows: Row[] = [];

/** Run `count` tasks with `concurrency` in flight; returns operations per second. */
async function throughput(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function seedOrders(bff: TestBff, count: number, prefix: string): Promise<string[]> {
  const invoices: string[] = [];
  for (let i = 0; i < count; i++) {
    const invoiceNumber = `${prefix}-${i}`;
    await bff.store.insertOrder({
      invoiceNumber,
      amount: 10000,
      statusTokenHash: hashStatusToken(newStatusToken()),
      requestId: `req-${invoiceNumber}`,
      lineItems: [{ name: 'Es Teh', price: 10000, quantity: 1 }],
      returnUrl: 'http://localhost/',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 900_000),
    });
    invoices.push(invoiceNumber);
  }
  return invoices;
}

async function healthBaseline(bff: TestBff): Promise<number> {
  // Warm up first (JIT, sockets): a cold first figure would flatter every ratio after it.
  await throughput(Math.min(N, 500), CONCURRENCY, async () => {
    const r = await fetch(`${bff.url}/healthz`);
    await r.arrayBuffer();
  });
  return throughput(N, CONCURRENCY, async () => {
    const r = await fetch(`${bff.url}/healthz`);
    await r.arrayBuffer();
  });
}

async function notificationsPerSecond(bff: TestBff, prefix: string): Promise<number> {
  const invoices = await seedOrders(bff, N, prefix);
  const signed = invoices.map((invoice) =>
    signedNotification(bff.config, { invoice, amount: 10000, status: 'SUCCESS' }),
  );
  return throughput(N, CONCURRENCY, async (i) => {
    const r = await fetch(bff.url + bff.config.notificationPath, {
      method: 'POST',
      headers: signed[i].headers,
      body: signed[i].body,
    });
    if (r.status !== 200) throw new Error(`notification answered ${r.status}`);
    await r.arrayBuffer();
  });
}

/** Time from a notification's 200 (and from its send) to the event on an open stream. */
async function streamLag(sender: TestBff, listener: TestBff, prefix: string, samples = 50) {
  const afterAck: number[] = [];
  const afterSend: number[] = [];
  for (let i = 0; i < samples; i++) {
    const token = newStatusToken();
    const invoiceNumber = `${prefix}-${i}`;
    await sender.store.insertOrder({
      invoiceNumber,
      amount: 10000,
      statusTokenHash: hashStatusToken(token),
      requestId: `req-${invoiceNumber}`,
      lineItems: [{ name: 'Es Teh', price: 10000, quantity: 1 }],
      returnUrl: 'http://localhost/',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 900_000),
    });
    const stream = await openStream(`${listener.url}/api/payments/${invoiceNumber}/events?token=${token}`);
    await stream.event(0);
    const signed = signedNotification(sender.config, { invoice: invoiceNumber, amount: 10000, status: 'SUCCESS' });
    const sent = performance.now();
    const res = await fetch(sender.url + sender.config.notificationPath, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    const acked = performance.now();
    await res.arrayBuffer();
    await stream.event(1, 5000);
    const got = performance.now();
    afterAck.push(Math.max(0, got - acked));
    afterSend.push(got - sent);
    stream.close();
  }
  return { afterAck, afterSend };
}

async function main(): Promise<void> {
  console.log(`linkaja-pay bench: ${N} requests per figure, ${CONCURRENCY} in flight, node ${process.version}\n`);
  const sqlite = await startTestBff();
  const base = await healthBaseline(sqlite);
  rows.push({ what: 'GET /healthz (baseline: HTTP + Express)', value: `${base.toFixed(0)} req/s`, ratio: '1.00' });
  const nSqlite = await notificationsPerSecond(sqlite, 'BENCH-SQ');
  rows.push({
    what: 'notifications stored, SQLite',
    value: `${nSqlite.toFixed(0)} /s`,
    ratio: (nSqlite / base).toFixed(2),
  });
  const lag = await streamLag(sqlite, sqlite, 'LAG-SQ');
  rows.push({
    what: 'notification 200 -> SSE event, SQLite, p50',
    value: `${pct(lag.afterAck, 50).toFixed(2)} ms`,
    ratio: '',
  });
  rows.push({
    what: 'notification 200 -> SSE event, SQLite, p95',
    value: `${pct(lag.afterAck, 95).toFixed(2)} ms`,
    ratio: '',
  });
  rows.push({
    what: 'notification sent -> SSE event, SQLite, p50',
    value: `${pct(lag.afterSend, 50).toFixed(2)} ms`,
    ratio: '',
  });
  await sqlite.close();

  const pg = await resolveTestPg();
  if ('url' in pg) {
    const { openPgPair } = await import('./bench-pg.ts');
    const pair = await openPgPair();
    const { a, b } = pair;
    try {
      const nPg = await notificationsPerSecond(a, 'BENCH-PG');
      rows.push({
        what: 'notifications stored, PostgreSQL',
        value: `${nPg.toFixed(0)} /s`,
        ratio: (nPg / base).toFixed(2),
      });
      rows.push({ what: 'PostgreSQL / SQLite notifications', value: '', ratio: (nPg / nSqlite).toFixed(2) });
      const cross = await streamLag(a, b, 'LAG-PG');
      rows.push({
        what: 'notification 200 on A -> SSE event on B, PG, p50',
        value: `${pct(cross.afterAck, 50).toFixed(2)} ms`,
        ratio: '',
      });
      rows.push({
        what: 'notification 200 on A -> SSE event on B, PG, p95',
        value: `${pct(cross.afterAck, 95).toFixed(2)} ms`,
        ratio: '',
      });
      rows.push({
        what: 'notification sent to A -> SSE event on B, PG, p50',
        value: `${pct(cross.afterSend, 50).toFixed(2)} ms`,
        ratio: '',
      });
      rows.push({
        what: 'notification sent to A -> SSE event on B, PG, p95',
        value: `${pct(cross.afterSend, 95).toFixed(2)} ms`,
        ratio: '',
      });
    } finally {
      await pair.close();
    }
  } else {
    rows.push({ what: `PostgreSQL figures: SKIPPED (${pg.skip})`, value: '', ratio: '' });
  }

  const w = Math.max(...rows.map((r) => r.what.length));
  console.log(`${'figure'.padEnd(w)} | ${'value'.padStart(14)} | ratio to baseline`);
  console.log(`${'-'.repeat(w)}-|-${'-'.repeat(14)}-|------------------`);
  for (const r of rows) console.log(`${r.what.padEnd(w)} | ${r.value.padStart(14)} | ${r.ratio}`);
}

await main();
process.exit(0);
