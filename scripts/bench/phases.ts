// The bench's measurements, one function each; scripts/bench.ts runs them in order and keeps time.
import { performance } from 'node:perf_hooks';
import { keepAlive, measureRate, percentile, timedRequest, type Rate } from './load.ts';
import { nextAddress, type SeededOrder } from './orders.ts';
import type { DokuCredentials, Proc } from './processes.ts';
import { paidNotification, simulatorCreate, type PreparedRequest } from './signed.ts';
import { notifyBurst, openStreams, type BurstResult } from './streams.ts';

/** Baseline and status route use the same connections and durations. */
export const LOAD = { connections: 32, warmupSeconds: 3, seconds: 8, rounds: 4 };

export interface Target {
  url: string;
  next: () => PreparedRequest;
}

function sum(rates: Rate[]): Rate {
  const ok = rates.reduce((n, r) => n + r.ok, 0);
  const seconds = rates.reduce((n, r) => n + r.seconds, 0);
  const refused: Record<string, number> = {};
  for (const r of rates) for (const [k, v] of Object.entries(r.refused)) refused[k] = (refused[k] ?? 0) + v;
  return { perSecond: ok / seconds, ok, refused, seconds };
}

/**
 * The rates of two targets under the same load: each warmed up (JIT, sockets, caches), then measured
 * in alternating slices, so that another process's burst on these shared cores costs both alike and
 * the ratio holds. Also returns the lowest and highest ratio of one slice to its neighbour.
 */
export async function alternatingRates(a: Target, b: Target): Promise<{ a: Rate; b: Rate; ratios: number[] }> {
  const { connections, warmupSeconds, seconds, rounds } = LOAD;
  for (const t of [a, b]) await measureRate({ ...t, connections, seconds: warmupSeconds });
  const as: Rate[] = [];
  const bs: Rate[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await measureRate({ ...a, connections, seconds: seconds / rounds }));
    bs.push(await measureRate({ ...b, connections, seconds: seconds / rounds }));
  }
  return { a: sum(as), b: sum(bs), ratios: bs.map((r, i) => r.perSecond / as[i].perSecond) };
}

export const bareJson = (): PreparedRequest => ({ method: 'GET', path: '/json', headers: {} });

/** Each request one customer's poll of their own order, from their own address. */
export function statusPolls(customers: SeededOrder[]): () => PreparedRequest {
  let i = 0;
  return () => {
    const c = customers[i++ % customers.length];
    return {
      method: 'GET',
      path: `/api/payments/${c.invoice}`,
      headers: { Authorization: `Bearer ${c.token}`, 'X-Forwarded-For': c.address },
    };
  };
}

/**
 * Signed "paid" notifications for `warm` + `measured` seeded orders, each order once (every one a real
 * PENDING -> SUCCESS write). Returns the measured rate; a sample of the notified orders is then read
 * back over HTTP, so the figure is known to count stored changes.
 */
export async function notificationRate(
  bff: Proc,
  creds: DokuCredentials,
  orders: SeededOrder[],
  warm: number,
): Promise<Rate> {
  const pool = orders.map((o) => paidNotification(creds, o));
  let used = 0;
  const next = () => pool[used++];
  const { connections, seconds } = LOAD;
  await measureRate({ url: bff.url, connections, seconds, amount: warm, next });
  // Autocannon builds a connection's next request before it knows the run is over: a few are never sent.
  const first = used;
  const amount = pool.length - used - connections;
  const rate = await measureRate({ url: bff.url, connections, seconds, amount, next });
  const agent = keepAlive(1);
  for (const o of orders.slice(first, first + Math.min(20, rate.ok))) {
    const res = await timedRequest(agent, bff.url, statusPolls([o])());
    if (!res.body.includes('"status":"SUCCESS"')) throw new Error(`${o.invoice} answered 200 but reads ${res.body}`);
  }
  agent.destroy();
  return rate;
}

/** A fresh server's notification path taken warm (JIT, store statements) before anything is timed on it. */
export async function warmNotifications(bff: Proc, creds: DokuCredentials, orders: SeededOrder[]): Promise<void> {
  const pool = orders.map((o) => paidNotification(creds, o));
  let used = 0;
  const amount = pool.length - LOAD.connections;
  await measureRate({
    url: bff.url,
    connections: LOAD.connections,
    seconds: LOAD.seconds,
    amount,
    next: () => pool[used++],
  });
}

export interface CreateLatency {
  simulatorP50: number;
  bffP50: number;
  addedP50: number;
  samples: number;
}

/**
 * One request at a time, alternating: the simulator's own create (signed, straight to it), then the
 * BFF's POST /api/payments (which prices, stores, signs, calls the simulator, verifies and stores
 * again). Alternating keeps drift on a shared machine out of the difference.
 */
export async function createLatency(
  bff: Proc,
  sim: Proc,
  creds: DokuCredentials,
  warm: number,
  samples: number,
): Promise<CreateLatency> {
  const simAgent = keepAlive(1);
  const bffAgent = keepAlive(1);
  const simMs: number[] = [];
  const bffMs: number[] = [];
  const body = JSON.stringify({ items: [{ sku: 'bench-kopi', quantity: 1 }] });
  for (let i = 0; i < warm + samples; i++) {
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
  return { simulatorP50, bffP50, addedP50: bffP50 - simulatorP50, samples };
}

export interface StreamFigures {
  opened: number;
  openSeconds: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  burst: BurstResult;
}

/** Hold a stream per customer, read the server's memory before and after, then notify a burst of them. */
export async function streamsAndBurst(
  bff: Proc,
  creds: DokuCredentials,
  customers: SeededOrder[],
  burstSize: number,
  burstConcurrency: number,
  settleMs: number,
): Promise<StreamFigures> {
  const rssBeforeMb = bff.rssMb();
  const port = Number(new URL(bff.url).port);
  const started = performance.now();
  const streams = await openStreams(port, customers);
  const openSeconds = (performance.now() - started) / 1000;
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const rssAfterMb = bff.rssMb();
    // Spread over the crowd, not its first arrivals; signed before the clock starts.
    const step = Math.max(1, Math.floor(customers.length / burstSize));
    const chosen = customers.filter((_, i) => i % step === 0).slice(0, burstSize);
    const notifications = chosen.map((o) => ({ invoice: o.invoice, request: paidNotification(creds, o) }));
    const burst = await notifyBurst(bff.url, streams, notifications, burstConcurrency);
    return { opened: streams.count, openSeconds, rssBeforeMb, rssAfterMb, burst };
  } finally {
    streams.closeAll();
  }
}
