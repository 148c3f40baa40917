// The processes the bench measures: the BFF, a bare Express app and the DOKU simulator, each its own
// Node process (so the load generator never shares their CPU time), each killed when the bench ends
// however it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** How the server is started: the built server, as `npm start` and the container run it (`npm run bench` builds first). */
export const SERVER_ENTRY = {
  label: 'built (node dist/bff/server.js)',
  file: 'dist/bff/server.js',
  args: ['dist/bff/server.js'],
};

export interface Proc {
  name: string;
  url: string;
  pid: number;
  /** Resident memory now, from /proc/<pid>/status (MB). */
  rssMb(): number;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever ends the bench (an error, a timeout, Ctrl-C), no server outlives it.
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

function tail(file: string, lines = 15): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Start `node ...args` with only the given environment (nothing of the caller's DATABASE_URL etc.),
 * its output in `logFile`, and resolve once `readyPath` answers any HTTP status.
 */
async function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  logFile: string,
  readyPath = '/',
): Promise<Proc> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${name} did not answer within 30 s:\n${tail(logFile)}`);
      await sleep(100);
    }
  }
  return {
    name,
    url,
    pid: child.pid!,
    rssMb: () => rssMb(child.pid!),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface DokuCredentials {
  clientId: string;
  secretKey: string;
}

export async function startSimulatorProcess(creds: DokuCredentials, logDir: string): Promise<Proc> {
  const port = await freePort();
  const env = { SIM_PORT: String(port), SIM_CLIENT_ID: creds.clientId, SIM_SECRET_KEY: creds.secretKey };
  // TypeScript, as it runs the simulator's own source: the loader costs start-up time, not requests.
  const args = ['--import', 'tsx', 'scripts/bench/simulator-server.ts'];
  return start('DOKU simulator', args, env, port, join(logDir, 'simulator.log'));
}

/** The baselines: bare Express answering JSON (bare-server.mjs), or bare node:http holding event streams (bare-streams.mjs). */
const BARE = {
  json: { name: 'bare Express', script: 'bare-server' },
  streams: { name: 'bare Node streams', script: 'bare-streams' },
} as const;

export async function startBareProcess(logDir: string, kind: keyof typeof BARE = 'json'): Promise<Proc> {
  const { name, script } = BARE[kind];
  const port = await freePort();
  return start(name, [`scripts/bench/${script}.mjs`], { BARE_PORT: String(port) }, port, join(logDir, `${script}.log`));
}

export interface BffSettings {
  databaseUrl: string;
  doku: DokuCredentials & { baseUrl: string };
  catalogFile: string;
  logLevel: string;
}

/**
 * The BFF as an operator runs it, against a DOKU on its own port. TRUST_PROXY=1: the bench's simulated
 * clients each send their own X-Forwarded-For, so per-IP rate limits apply as they would to real
 * customers. Reconciliation is pushed an hour out: seeded orders would otherwise come due during the
 * run and add Check Status traffic that no figure asks for.
 */
export async function startBff(s: BffSettings, logDir: string): Promise<Proc> {
  const port = await freePort();
  const env = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: s.databaseUrl,
    DOKU_ENV: 'sandbox',
    DOKU_BASE_URL: s.doku.baseUrl,
    DOKU_CLIENT_ID: s.doku.clientId,
    DOKU_SECRET_KEY: s.doku.secretKey,
    CATALOG_FILE: s.catalogFile,
    LOG_LEVEL: s.logLevel,
    TRUST_PROXY: '1',
    RECONCILE_INTERVAL_SECONDS: '3600',
  };
  // BENCH_CPU_PROF=<dir>: each BFF process writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  // BENCH_BFF_NODE_ARGS="--trace-gc ...": more flags for the BFF's node (a diagnosis, not a figure).
  const extra = process.env.BENCH_BFF_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return start('BFF', [...profile, ...extra, ...SERVER_ENTRY.args], env, port, join(logDir, 'bff.log'), '/healthz');
}
