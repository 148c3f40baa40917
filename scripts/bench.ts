// npm run bench: the BFF measured from outside. The server runs as its own process (as an operator
// runs it) against a DOKU simulator in another, a bare Express app runs beside them as the baseline,
// and the load comes from this process (autocannon, and keep-alive clients for latencies), never
// from inside the server. One table on stdout, the same in bench-results.json. Bounded: every phase
// has a time limit, the whole run a budget, and no child outlives it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFigure, idleRssFigure, rateFigure, skippedFigure, streamFigures } from './bench/figures.ts';
import { makeOrders, PRICE, seedOrders } from './bench/orders.ts';
import {
  alternatingRates,
  bareJson,
  checkPaid,
  createLatency,
  LOAD,
  paidNotifications,
  statusPolls,
  bareStreamsMemory,
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

const BUDGET_SECONDS = 175;
const SETTLE_MS = 2000;
const STREAMS_WANTED = 10_000;
const BURST = { size: 1000, concurrency: 32 };
/** Orders to notify, each once: 11 s at about 4,500/s on SQLite (a faster server runs out sooner). */
const NOTIFY = { sqlite: 50_000, pg: 24_000, streamsWarmUp: 500 };
const CREATE = { samples: 300 };
/** info, as deployed: the access log line per request is part of what a request costs. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
/** BENCH_ONLY=status,notifications runs just those phases (rss, status, notifications, create, streams, pg). */
const PHASES = ['rss', 'status', 'notifications', 'create', 'streams', 'pg'] as const;
const ONLY = process.env.BENCH_ONLY?.split(',').map((p) => p.trim());
const unknownPhase = ONLY?.find((p) => !(PHASES as readonly string[]).includes(p));
if (unknownPhase) throw new Error(`BENCH_ONLY: no phase ${unknownPhase} (phases: ${PHASES.join(', ')})`);
const runs = (name: (typeof PHASES)[number]): boolean => !ONLY || ONLY.includes(name);

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

/** A stream takes a descriptor on each side (the server inherits this limit), plus some for the rest. */
function streamsThatFit(): number {
  const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  return Math.min(STREAMS_WANTED, soft - 500);
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-bench-'));
  console.error(`linkaja-pay bench: server entry ${SERVER_ENTRY.label}, LOG_LEVEL=${LOG_LEVEL}; logs in ${dir}`);
  console.error(
    `${LOAD.connections} connections; each rate after ${LOAD.warmupSeconds} s of warm-up, ${LOAD.seconds} s in ` +
      `${LOAD.rounds} slices alternating with the bare app; rate limits met with TRUST_PROXY=1 and one ` +
      'X-Forwarded-For address per simulated client',
  );
  // The bench's own DOKU merchant: the simulator's public keys are for demos, not a sandbox setup.
  const creds = { clientId: `BRN-BENCH-${randomBytes(4).toString('hex')}`, secretKey: randomBytes(32).toString('hex') };
  const catalogFile = join(dir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify([{ sku: 'bench-kopi', name: 'Es Kopi Susu', price: PRICE }]));
  const customers = makeOrders('C', streamsThatFit());
  const notified = makeOrders('N', NOTIFY.sqlite);
  const warmers = makeOrders('W', NOTIFY.streamsWarmUp);
  const all = [...customers, ...notified, ...warmers];
  const sqliteUrl = `sqlite:${join(dir, 'bench.db')}`;
  await phase(`seed ${all.length} orders (SQLite)`, 60, () => seedOrders(sqliteUrl, all));

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
  if (runs('rss')) figures.push(idleRssFigure(bff.rssMb(), bare.rssMb()));

  if (runs('status')) {
    const status = await phase('GET status (Bearer) | bare', 40, () =>
      alternatingRates(bareJson(bare.url), statusPolls(bff.url, customers)),
    );
    figures.push(rateFigure('status_rps', 'GET status (Bearer)', status, 0.8));
  }

  if (runs('notifications')) {
    const nSqlite = await phase('signed notifications, SQLite | bare', 40, () =>
      alternatingRates(bareJson(bare.url), paidNotifications(bff.url, creds, notified)),
    );
    await checkPaid(bff.url, notified);
    figures.push(rateFigure('notifications_sqlite_per_s', 'notifications stored, SQLite', nSqlite, 0.5));
  }

  if (runs('create')) {
    const create = await phase('create payment | the simulator alone', 30, () =>
      createLatency(bff, sim, creds, CREATE.samples),
    );
    figures.push(createFigure(create));
  }
  await bff.stop();

  // A fresh server for the streams (memory grown under the earlier load would blur what streams add),
  // warmed on other orders so the burst meets the notification path compiled, as it would in service.
  let streamsHeld: number | undefined;
  if (runs('streams')) {
    const bareStreams = await phase(`${customers.length} streams held by bare Node http`, 40, async () => {
      const bare = await startBareProcess(dir, 'streams');
      try {
        await sleep(SETTLE_MS);
        return await bareStreamsMemory(bare, customers, SETTLE_MS);
      } finally {
        await bare.stop();
      }
    });
    bff = await phase('restart BFF for the streams, warm it', 40, async () => {
      const restarted = await startBff(settings(sqliteUrl), dir);
      await warmNotifications(restarted, creds, warmers);
      return restarted;
    });
    await sleep(SETTLE_MS);
    const streams = await phase(`${customers.length} streams, then ${BURST.size} notified`, 60, () =>
      streamsAndBurst(bff, creds, customers, BURST, SETTLE_MS),
    );
    await bff.stop();
    streamsHeld = streams.opened;
    figures.push(...streamFigures({ ...streams, bare: bareStreams }, STREAMS_WANTED, BURST.concurrency));
  }

  const schema = runs('pg') ? await freshPgSchema() : undefined;
  const pgLabel = 'notifications stored, PostgreSQL';
  if (schema && 'skip' in schema) figures.push(skippedFigure('notifications_pg_per_s', pgLabel, 0.25, schema.skip));
  else if (schema) {
    try {
      const pgOrders = makeOrders('P', NOTIFY.pg);
      await phase(`seed ${pgOrders.length} orders (PostgreSQL)`, 40, () => seedOrders(schema.url, pgOrders));
      bff = await phase('start BFF (PostgreSQL)', 40, () => startBff(settings(schema.url), dir));
      const nPg = await phase('signed notifications, PostgreSQL | bare', 40, () =>
        alternatingRates(bareJson(bare.url), paidNotifications(bff.url, creds, pgOrders)),
      );
      await checkPaid(bff.url, pgOrders);
      await bff.stop();
      figures.push(rateFigure('notifications_pg_per_s', pgLabel, nPg, 0.25));
    } finally {
      await schema.drop();
    }
  }
  await Promise.all([sim.stop(), bare.stop()]);

  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `\nlinkaja-pay bench: server entry ${SERVER_ENTRY.label}, node ${process.version}, LOG_LEVEL=${LOG_LEVEL}, ` +
      `load average ${loadAtStart.toFixed(2)} at start, ${seconds} s in all\n`,
  );
  printTable(figures);
  const file = writeResults(figures, {
    serverEntry: SERVER_ENTRY.label,
    logLevel: LOG_LEVEL,
    load: LOAD,
    streams: { wanted: STREAMS_WANTED, held: streamsHeld },
    only: ONLY,
    burst: BURST,
    seconds,
    loadAverage1mAtStart: loadAtStart,
  });
  console.log(`\nwritten to ${file}`);
  rmSync(dir, { recursive: true, force: true });
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(`\nbench failed: ${(err as Error).message}`);
  process.exit(1);
}
