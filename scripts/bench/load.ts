// The load generators: autocannon for rates, a plain keep-alive HTTP client for latencies (it
// times each request in microseconds, where autocannon rounds to whole milliseconds).
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { PreparedRequest } from './signed.ts';

export interface Rate {
  /** 2xx answers per second over the time from the first request to the last answer. */
  perSecond: number;
  ok: number;
  /** Answers other than 2xx, by status, and socket errors: anything here is a finding. */
  refused: Record<string, number>;
  seconds: number;
}

export interface RateOptions {
  url: string;
  connections: number;
  /** Run for this long... */
  seconds: number;
  /** ...or until this many requests were sent, whichever comes first (for pools of one-off requests). */
  amount?: number;
  /** The next request; called once per request sent. */
  next: () => PreparedRequest;
}

/** Drive `url` with autocannon and count what came back. */
export function measureRate(o: RateOptions): Promise<Rate> {
  return new Promise((resolve, reject) => {
    const refused: Record<string, number> = {};
    let ok = 0;
    let lastAt = 0;
    const startedAt = performance.now();
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.seconds,
        amount: o.amount,
        timeout: 10,
        requests: [{ setupRequest: (req) => ({ ...req, ...o.next() }) }],
      },
      (err, result) => {
        clearTimeout(cap);
        if (err) return reject(err as Error);
        if (result.errors > 0) refused.socket_errors = result.errors;
        const seconds = (lastAt - startedAt) / 1000;
        resolve({ perSecond: seconds > 0 ? ok / seconds : 0, ok, refused, seconds });
      },
    );
    // With `amount` autocannon ignores `duration`: the cap keeps a slow server inside the time budget.
    const cap = setTimeout(() => instance.stop(), o.seconds * 1000);
    instance.on('response', (_client, status) => {
      lastAt = performance.now();
      if (status >= 200 && status < 300) ok++;
      else refused[status] = (refused[status] ?? 0) + 1;
    });
  });
}

export interface Timed {
  status: number;
  /** From the request being written to the last byte of the answer. */
  ms: number;
  body: string;
}

/** One request on `agent`, timed. */
export function timedRequest(agent: Agent, baseUrl: string, r: PreparedRequest, timeoutMs = 10_000): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      baseUrl + r.path,
      { method: r.method, headers: r.headers, agent, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${r.method} ${r.path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

export const keepAlive = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets });

/** The p-th percentile (0-100) of `xs`, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
