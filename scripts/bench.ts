// npm run bench: the BFF measured from outside. The server runs as its own process (as an operator
// runs it), a bare Express app runs beside it as the baseline, and the load comes from this process
// (autocannon and plain keep-alive clients), never from inside the server. One table on stdout, the
// same in bench-results.json. Bounded: every phase has a time limit, the whole run a budget, and no
// child outlives it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeOrders, PRICE, seedOrders } from './bench/orders.ts';
import {
  bareJson,
  createLatency,
  alternatingRates,
  LOAD,
  notificationRate,
  statusPolls,
  streamsAndBurst,
  warmNotifications,
} from './bench/phases.ts';
import { freshPgSchema } from './bench/pg.ts';
import {
  SERVER_ENTRY,
  startBareProcess,
  startBff,
  startSimulatorProcess,
  type BffSettings,
} from './bench/processes.ts';
import { printTable, writeResults, type Figure } from './bench/report.ts';
import { percentile, type Rate } from './bench/load.ts';

const BUDGET_SECONDS = 175;
const SETTLE_MS = 2000;
const STREAMS_WANTED = 10_000;
const BURST = { size: 1000, concurrency: 32 };
const NOTIFY = { warm: 2000, sqlite: 16_000, pg: 8000 };
const CREATE = { warm: 50, samples: 300 };
/** info, as deployed: the access log line per request is part of what a request costs. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

const started = Date.now();
/** Others' work on the same two cores makes every figure noisy: say how busy the machine was. */
const loadAtStart = loadavg()[0];
setTimeout(() => {
  console.error(`bench: over its ${BUDGET_SECONDS} s budget; stopping (children are killed on exit)`);
  process.exit(1);
}, BUDGET_SECONDS * 1000).unref();

/** Run one step with a time limit, saying on stderr what it is doing and how long it took. */
async function phase<T>(name: string, limitSeconds: number, run: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stderr.write(`[${((t0 - started) / 1000).toFixed(0).padStart(3)} s] ${name} ... `);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: over its ${limitSeconds} s limit`)), limitSeconds * 1000);
  });
  try {
    return await Promise.race([run(), limit]);
  } finally {
    clearTimeout(timer);
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

/** Streams need a descriptor each on both ends, plus some for everything else. */
function streamsThatFit(): number {
  const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  return Math.min(STREAMS_WANTED, soft - 500);
}

const refusedNote = (r: Rate) =>
  Object.keys(r.refused).length > 0 ? `refused or failed: ${JSON.stringify(r.refused)}` : undefined;

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-bench-'));
  const streamCount = streamsThatFit();
  console.error(
    `linkaja-pay bench: node ${process.version}, server entry ${SERVER_ENTRY.label}, LOG_LEVEL=${LOG_LEVEL}`,
  );
  console.error(
    `load: ${LOAD.connections} connections, ${LOAD.warmupSeconds} s warm-up + ${LOAD.seconds} s (baseline and status in ${LOAD.rounds} alternating slices); rate limits met ` +
      `with TRUST_PROXY=1 and one X-Forwarded-For address per simulated client; logs in ${dir}`,
  );
  // The bench's own DOKU merchant: the simulator's public keys are for demos, not a sandbox setup.
  const creds = { clientId: `BRN-BENCH-${randomBytes(4).toString('hex')}`, secretKey: randomBytes(32).toString('hex') };
  const catalogFile = join(dir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify([{ sku: 'bench-kopi', name: 'Es Kopi Susu', price: PRICE }]));
  const customers = makeOrders('C', streamCount);
  const notified = makeOrders('N', NOTIFY.warm + NOTIFY.sqlite);
  const warmers = makeOrders('W', NOTIFY.warm);
  const sqliteUrl = `sqlite:${join(dir, 'bench.db')}`;
  await phase(`seed ${customers.length + notified.length + warmers.length} orders (SQLite)`, 60, () =>
    seedOrders(sqliteUrl, [...customers, ...notified, ...warmers]),
  );

  const [sim, bare] = await phase('start simulator and bare Express', 40, () =>
    Promise.all([startSimulatorProcess(creds, dir), startBareProcess(dir)]),
  );
  const settings = (databaseUrl: string): BffSettings => ({
    databaseUrl,
    doku: { ...creds, baseUrl: sim.url },
    catalogFile,
    logLevel: LOG_LEVEL,
  });
  let bff = await phase('start BFF (SQLite)', 40, () => startBff(settings(sqliteUrl), dir));
  await sleep(SETTLE_MS);
  const bareRss = { label: 'bare Express', value: bare.rssMb() };
  figures.push({
    key: 'idle_rss_mb',
    label: 'idle RSS of the server',
    value: bff.rssMb(),
    unit: 'MB',
    baseline: bareRss,
    goal: { on: 'value', op: '<=', target: 70 },
  });

  const {
    a: base,
    b: status,
    ratios,
  } = await phase('bare Express GET /json and GET status, alternating', 40, () =>
    alternatingRates({ url: bare.url, next: bareJson }, { url: bff.url, next: statusPolls(customers) }),
  );
  const baseline = { label: 'bare req/s', value: base.perSecond };
  figures.push({
    key: 'bare_rps',
    label: 'bare Express JSON route',
    value: base.perSecond,
    unit: 'req/s',
    note: refusedNote(base),
  });
  const spread = `ratio per ${LOAD.seconds / LOAD.rounds} s slice ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
  figures.push({
    key: 'status_rps',
    label: 'GET status (Bearer)',
    value: status.perSecond,
    unit: 'req/s',
    baseline,
    goal: { on: 'ratio', op: '>=', target: 0.8 },
    note: [spread, refusedNote(status)].filter(Boolean).join('; '),
  });

  const nSqlite = await phase('signed notifications, SQLite', 30, () =>
    notificationRate(bff, creds, notified, NOTIFY.warm),
  );
  figures.push({
    key: 'notifications_sqlite_per_s',
    label: 'notifications stored, SQLite',
    value: nSqlite.perSecond,
    unit: '/s',
    baseline,
    goal: { on: 'ratio', op: '>=', target: 0.5 },
    note: refusedNote(nSqlite),
  });

  const create = await phase('create payment vs the simulator alone', 30, () =>
    createLatency(bff, sim, creds, CREATE.warm, CREATE.samples),
  );
  figures.push({
    key: 'create_added_p50_ms',
    label: 'create payment: p50 added to DOKU',
    value: create.addedP50,
    unit: 'ms',
    baseline: { label: 'simulator p50 ms', value: create.simulatorP50 },
    goal: { on: 'value', op: '<=', target: 2 },
    note: `p50 ${create.bffP50.toFixed(2)} ms through the BFF, ${create.simulatorP50.toFixed(2)} ms straight to the simulator, ${create.samples} sequential pairs`,
  });
  await bff.stop();

  // A fresh server for the streams (memory grown under the earlier load would blur what streams add),
  // warmed on other orders so the burst meets the notification path compiled, as it would in service.
  bff = await phase('restart BFF for the streams, warm it', 40, async () => {
    const restarted = await startBff(settings(sqliteUrl), dir);
    await warmNotifications(restarted, creds, warmers);
    return restarted;
  });
  await sleep(SETTLE_MS);
  const s = await phase(`${streamCount} streams, then ${BURST.size} notified`, 60, () =>
    streamsAndBurst(bff, creds, customers, BURST.size, BURST.concurrency, SETTLE_MS),
  );
  await bff.stop();
  const added = s.rssAfterMb - s.rssBeforeMb;
  const scaled =
    streamCount < STREAMS_WANTED ? ` (only ${streamCount} held: the file limit; scaled linearly to 10,000)` : '';
  figures.push({
    key: 'streams_rss_added_mb',
    label: `RSS added by ${STREAMS_WANTED} open streams`,
    value: (added * STREAMS_WANTED) / s.opened,
    unit: 'MB',
    goal: { on: 'value', op: '<=', target: 100 },
    note: `${s.rssBeforeMb.toFixed(0)} -> ${s.rssAfterMb.toFixed(0)} MB, ${((added * 1024) / s.opened).toFixed(1)} KB a stream; ${s.opened} opened in ${s.openSeconds.toFixed(1)} s${scaled}`,
  });
  const b = s.burst;
  figures.push({
    key: 'burst_event_p99_ms',
    label: `burst of ${BURST.size}: notification sent -> event, p99`,
    value: percentile(b.sendToEvent, 99),
    unit: 'ms',
    goal: { on: 'value', op: '<=', target: 50 },
    note: `p50 ${percentile(b.sendToEvent, 50).toFixed(1)} ms, max ${Math.max(...b.sendToEvent).toFixed(1)} ms; ${b.beforeAck} events came before their 200; ${BURST.concurrency} connections, burst took ${b.seconds.toFixed(2)} s; lost ${b.lost}`,
  });

  const pgFigure: Figure = {
    key: 'notifications_pg_per_s',
    label: 'notifications stored, PostgreSQL',
    value: null,
    unit: '/s',
    baseline,
    goal: { on: 'ratio', op: '>=', target: 0.25 },
  };
  figures.push(pgFigure);
  const schema = await freshPgSchema();
  if ('skip' in schema) pgFigure.note = `skipped: ${schema.skip}`;
  else {
    try {
      const pgOrders = makeOrders('P', NOTIFY.warm + NOTIFY.pg);
      await phase(`seed ${pgOrders.length} orders (PostgreSQL)`, 40, () => seedOrders(schema.url, pgOrders));
      bff = await phase('start BFF (PostgreSQL)', 40, () => startBff(settings(schema.url), dir));
      const nPg = await phase('signed notifications, PostgreSQL', 30, () =>
        notificationRate(bff, creds, pgOrders, NOTIFY.warm),
      );
      await bff.stop();
      pgFigure.value = nPg.perSecond;
      pgFigure.note = refusedNote(nPg);
    } finally {
      await schema.drop();
    }
  }
  await Promise.all([sim.stop(), bare.stop()]);

  console.log(
    `\nlinkaja-pay bench, server entry: ${SERVER_ENTRY.label}, node ${process.version}, LOG_LEVEL=${LOG_LEVEL}, ` +
      `load average at start ${loadAtStart.toFixed(2)}\n`,
  );
  printTable(figures);
  const file = writeResults(figures, {
    serverEntry: SERVER_ENTRY.label,
    logLevel: LOG_LEVEL,
    load: LOAD,
    streams: { wanted: STREAMS_WANTED, held: s.opened },
    burst: BURST,
    seconds: Math.round((Date.now() - started) / 1000),
    loadAverage1mAtStart: loadAtStart,
  });
  console.log(`\n${file} written; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  rmSync(dir, { recursive: true, force: true });
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(`\nbench failed: ${(err as Error).message}`);
  process.exit(1);
}
