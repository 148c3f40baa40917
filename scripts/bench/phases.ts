// The bench's measurements, one function each; scripts/bench.ts runs them in order and keeps time.
import { performance } from 'node:perf_hooks';
import { keepAlive, measureRate, percentile, timedRequest, type Rate } from './load.ts';
import { nextAddress, type SeededOrder } from './orders.ts';
import type { DokuCredentials, Proc } from './processes.ts';
import { paidNotification, simulatorCreate, type PreparedRequest } from './signed.ts';
import { notifyBurst, openStreams, type BurstResult, type HeldStreams } from './streams.ts';

/** Every rate is measured with the same connections and durations as its baseline. */
export const LOAD = { connections: 32, warmupSeconds: 3, seconds: 8, rounds: 4 };

export interface Target {
  url: string;
  next: () => PreparedRequest;
  /** For a pool of one-off requests (each notification once): how many are left. */
  left?: () => number;
}

export interface Paired {
  base: Rate;
  measured: Rate;
  /** The measured rate over the baseline's, slice by slice: how much the machine moved meanwhile. */
  sliceRatios: number[];
}

function sum(rates: Rate[]): Rate {
  const ok = rates.reduce((n, r) => n + r.ok, 0);
  const seconds = rates.reduce((n, r) => n + r.seconds, 0);
  const refused: Record<string, number> = {};
  for (const r of rates) for (const [k, v] of Object.entries(r.refused)) refused[k] = (refused[k] ?? 0) + v;
  return { perSecond: ok / seconds, ok, refused, seconds };
}

/** One run; a pool's run also ends when the pool does (null: too little left to measure). */
function run(t: Target, seconds: number): Promise<Rate | null> {
  const { connections } = LOAD;
  if (!t.left) return measureRate({ ...t, connections, seconds });
  // Autocannon builds each connection's next request before it learns the run is over: keep a margin.
  const amount = t.left() - connections;
  return amount < 2 * connections ? Promise.resolve(null) : measureRate({ ...t, connections, seconds, amount });
}

/**
 * A rate and its baseline under the same load: both warmed up (JIT, sockets, caches), then measured
 * in alternating slices, so that another process's burst on these shared cores costs both alike and
 * the ratio holds. A pool that runs out ends the measurement early (fewer slices, still exact rates).
 */
export async function alternatingRates(base: Target, measured: Target): Promise<Paired> {
  const { warmupSeconds, seconds, rounds } = LOAD;
  for (const t of [base, measured]) await run(t, warmupSeconds);
  const bases: Rate[] = [];
  const measures: Rate[] = [];
  for (let i = 0; i < rounds; i++) {
    const m = await run(measured, seconds / rounds);
    if (!m) break;
    measures.push(m);
    bases.push((await run(base, seconds / rounds))!);
  }
  if (measures.length === 0) throw new Error('the request pool ran out during the warm-up: seed more orders');
  return {
    base: sum(bases),
    measured: sum(measures),
    sliceRatios: measures.map((m, i) => m.perSecond / bases[i].perSecond),
  };
}

export const bareJson = (url: string): Target => ({
  url,
  next: () => ({ method: 'GET', path: '/json', headers: {} }),
});

/** Each request one customer's poll of their own order, from their own address. */
export function statusPolls(url: string, customers: SeededOrder[]): Target {
  let i = 0;
  return {
    url,
    next() {
      const c = customers[i++ % customers.length];
      return {
        method: 'GET',
        path: `/api/payments/${c.invoice}`,
        headers: { Authorization: `Bearer ${c.token}`, 'X-Forwarded-For': c.address },
      };
    },
  };
}

/** Signed "paid" notifications, one per seeded order: each a real PENDING -> SUCCESS write. */
export function paidNotifications(url: string, creds: DokuCredentials, orders: SeededOrder[]): Target {
  const pool = orders.map((o) => paidNotification(creds, o));
  let used = 0;
  return { url, next: () => pool[used++], left: () => pool.length - used };
}

/**
 * Read back the first notified orders (sent for certain: each connection's first request) over HTTP:
 * the rate counts 200s, and this shows a 200 meant a stored change.
 */
export async function checkPaid(url: string, orders: SeededOrder[]): Promise<void> {
  const agent = keepAlive(1);
  const reads = statusPolls(url, orders.slice(0, 20));
  try {
    for (let i = 0; i < 20; i++) {
      const res = await timedRequest(agent, url, reads.next());
      if (!res.body.includes('"status":"SUCCESS"')) throw new Error(`a notified order reads ${res.body}`);
    }
  } finally {
    agent.destroy();
  }
}

/**
 * A fresh server's notification path taken warm (JIT, prepared statements) before anything is timed on
 * it: a few hundred, a few at a time, so the heap grows no more than in light service.
 */
export async function warmNotifications(bff: Proc, creds: DokuCredentials, orders: SeededOrder[]): Promise<void> {
  const pool = paidNotifications(bff.url, creds, orders);
  await measureRate({ ...pool, connections: 4, seconds: LOAD.seconds, amount: orders.length - 4 });
}

export interface CreateLatency {
  simulatorP50: number;
  bffP50: number;
  addedP50: number;
  samples: number;
  /** Pairs sent first, unmeasured (as many as fit in the warm-up). */
  warm: number;
}

/**
 * One request at a time, alternating: the simulator's own create (signed, straight to it), then the
 * BFF's POST /api/payments (which prices, stores, signs, calls the simulator, verifies and stores
 * again). Alternating keeps drift on a shared machine out of the difference. Warmed like the rates
 * (LOAD.warmupSeconds of the same pairs, unmeasured): with 50 pairs, most of the create path still ran
 * unoptimized and added 2.4-2.7 ms, against 1.6-1.9 ms after 1,000 (same hour, this machine).
 */
export async function createLatency(
  bff: Proc,
  sim: Proc,
  creds: DokuCredentials,
  samples: number,
): Promise<CreateLatency> {
  const simAgent = keepAlive(1);
  const bffAgent = keepAlive(1);
  const simMs: number[] = [];
  const bffMs: number[] = [];
  const body = JSON.stringify({ items: [{ sku: 'bench-kopi', quantity: 1 }] });
  const warmUntil = performance.now() + LOAD.warmupSeconds * 1000;
  let warm = 0;
  for (let i = 0; i < warm + samples; i++) {
    if (performance.now() < warmUntil) warm = i + 1;
    const direct = await timedRequest(simAgent, sim.url, simulatorCreate(creds, `BENCH-SIM-${i}`, bff.url));
    if (direct.status !== 200) throw new Error(`simulator create answered ${direct.status}: ${direct.body}`);
    const viaBff = await timedRequest(bffAgent, bff.url, {
      method: 'POST',
      path: '/api/payments',
      // A create is a new customer: the per-address limit (30/min) is for one person, not the bench.
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': nextAddress() },
      body,
    });
    if (viaBff.status !== 201) throw new Error(`POST /api/payments answered ${viaBff.status}: ${viaBff.body}`);
    if (i >= warm) {
      simMs.push(direct.ms);
      bffMs.push(viaBff.ms);
    }
  }
  simAgent.destroy();
  bffAgent.destroy();
  const simulatorP50 = percentile(simMs, 50);
  const bffP50 = percentile(bffMs, 50);
  return { simulatorP50, bffP50, addedP50: bffP50 - simulatorP50, samples, warm };
}

export interface HeldStreamsMemory {
  opened: number;
  openSeconds: number;
  rssBeforeMb: number;
  /** Read `settleMs` after the last stream opened. */
  rssAfterMb: number;
}

/** Hold a stream per customer on `server`, read its memory before and after, then `use` them while held. */
async function holdingStreams<T>(
  server: Proc,
  customers: SeededOrder[],
  settleMs: number,
  use: (streams: HeldStreams) => Promise<T>,
): Promise<HeldStreamsMemory & { result: T }> {
  const rssBeforeMb = server.rssMb();
  const started = performance.now();
  const streams = await openStreams(Number(new URL(server.url).port), customers);
  const openSeconds = (performance.now() - started) / 1000;
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const rssAfterMb = server.rssMb();
    return { opened: streams.count, openSeconds, rssBeforeMb, rssAfterMb, result: await use(streams) };
  } finally {
    streams.closeAll();
  }
}

/** The same streams held by the bare Node server (bare-streams.mjs): the baseline for their memory. */
export const bareStreamsMemory = (bare: Proc, customers: SeededOrder[], settleMs: number) =>
  holdingStreams(bare, customers, settleMs, async () => undefined);

export interface StreamFigures extends HeldStreamsMemory {
  burst: BurstResult;
  bare: HeldStreamsMemory;
}

/** Hold a stream per customer on the BFF, read its memory, then notify a burst of them. */
export async function streamsAndBurst(
  bff: Proc,
  creds: DokuCredentials,
  customers: SeededOrder[],
  burst: { size: number; concurrency: number },
  settleMs: number,
): Promise<Omit<StreamFigures, 'bare'>> {
  // Spread over the crowd, not its first arrivals; signed before the clock starts.
  const step = Math.max(1, Math.floor(customers.length / burst.size));
  const chosen = customers.filter((_, i) => i % step === 0).slice(0, burst.size);
  const notifications = chosen.map((o) => ({ invoice: o.invoice, request: paidNotification(creds, o) }));
  const { result, ...memory } = await holdingStreams(bff, customers, settleMs, (streams) =>
    notifyBurst(bff.url, streams, notifications, burst.concurrency),
  );
  return { ...memory, burst: result };
}
