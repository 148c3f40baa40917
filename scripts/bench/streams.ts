// Many open status streams held cheaply (one raw socket each, no parser beyond spotting an event),
// and a burst of notifications timed from each send to its event on its own stream.
import { connect, type Socket } from 'node:net';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { keepAlive, timedRequest } from './load.ts';
import type { SeededOrder } from './orders.ts';
import type { PreparedRequest } from './signed.ts';

const EVENT = 'event: status\n';

interface Held {
  socket: Socket;
  /** Called with the arrival time of each status event after the first. */
  onEvent?: (at: number) => void;
}

export interface HeldStreams {
  count: number;
  /** The arrival time of the next status event on this order's stream; rejects after timeoutMs. */
  nextEvent(invoice: string, timeoutMs: number): Promise<number>;
  closeAll(): void;
}

/** Open one stream and resolve once its first status event (the current state) has arrived. */
function openOne(port: number, o: SeededOrder, timeoutMs: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const held: Held = { socket };
    let events = 0;
    let carry = '';
    let head = true;
    const timer = setTimeout(() => fail(new Error(`no first event within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.setEncoding('utf8');
    socket.on('error', fail);
    socket.on('close', () => events === 0 && fail(new Error('closed before its first event')));
    socket.on('data', (chunk: string) => {
      const at = performance.now();
      if (head && !chunk.startsWith('HTTP/1.1 200')) return fail(new Error(`answered ${chunk.split('\r\n')[0]}`));
      head = false;
      // The event line is written in one piece, but a TCP read may still split it: keep a short tail.
      const text = carry + chunk;
      for (let i = text.indexOf(EVENT); i >= 0; i = text.indexOf(EVENT, i + EVENT.length)) {
        if (++events === 1) {
          clearTimeout(timer);
          resolve(held);
        } else held.onEvent?.(at);
      }
      carry = text.slice(-(EVENT.length - 1));
    });
    socket.write(
      `GET /api/payments/${o.invoice}/events?token=${o.token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Accept: text/event-stream\r\nX-Forwarded-For: ${o.address}\r\n\r\n`,
    );
  });
}

/** Open a stream per order, `inFlight` openings at a time (a real crowd does not arrive in one tick). */
export async function openStreams(port: number, orders: SeededOrder[], inFlight = 100): Promise<HeldStreams> {
  const held = new Map<string, Held>();
  const failures = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < orders.length) {
        const o = orders[next++];
        try {
          held.set(o.invoice, await openOne(port, o, 20_000));
        } catch (err) {
          const reason = (err as Error).message;
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        }
      }
    }),
  );
  const closeAll = () => held.forEach((h) => h.socket.destroy());
  if (failures.size > 0) {
    closeAll();
    const reasons = [...failures].map(([r, n]) => `${n} x ${r}`).join('; ');
    throw new Error(`${orders.length - held.size} of ${orders.length} streams did not open: ${reasons}`);
  }
  return {
    count: held.size,
    nextEvent(invoice, timeoutMs) {
      const h = held.get(invoice);
      if (!h) return Promise.reject(new Error(`no stream for ${invoice}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event on ${invoice} within ${timeoutMs} ms`)), timeoutMs);
        h.onEvent = (at) => {
          clearTimeout(timer);
          h.onEvent = undefined;
          resolve(at);
        };
      });
    },
    closeAll,
  };
}

export interface BurstResult {
  /** Per notification: from its request being sent to its event on the stream (ms). */
  sendToEvent: number[];
  /** Events that arrived before their notification's 200 was read (the change is published first). */
  beforeAck: number;
  /** Notifications answered other than 200, or whose event never came. */
  lost: number;
  seconds: number;
  /**
   * This process's own collector pauses during the burst (ms): it holds the 10,000 streams too, and an
   * event that arrives during one is timed late by that much.
   */
  clientGcMs: number[];
}

/**
 * Send `notifications` (one per streamed order) over `concurrency` keep-alive connections, as fast as
 * the server takes them, and time each one to its event.
 */
export async function notifyBurst(
  baseUrl: string,
  streams: HeldStreams,
  notifications: Array<{ invoice: string; request: PreparedRequest }>,
  concurrency: number,
): Promise<BurstResult> {
  const agent = keepAlive(concurrency);
  // Connections open before the clock starts: a burst from DOKU arrives on warm connections too.
  await Promise.all(
    Array.from({ length: concurrency }, () =>
      timedRequest(agent, baseUrl, { method: 'GET', path: '/healthz', headers: {} }),
    ),
  );
  const sendToEvent: number[] = [];
  let beforeAck = 0;
  const arrivals: Promise<void>[] = [];
  let lost = 0;
  let next = 0;
  // This process's collector, run now rather than during the burst (npm run bench exposes it).
  (globalThis as { gc?: () => void }).gc?.();
  const clientGcMs: number[] = [];
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => clientGcMs.push(e.duration)));
  gc.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < notifications.length) {
        const n = notifications[next++];
        const event = streams.nextEvent(n.invoice, 15_000);
        const sent = performance.now();
        const res = await timedRequest(agent, baseUrl, n.request).catch(() => null);
        const acked = performance.now();
        if (res?.status !== 200) lost++;
        arrivals.push(
          event.then(
            (at) => {
              sendToEvent.push(at - sent);
              if (at <= acked) beforeAck++;
            },
            () => void (res?.status === 200 && lost++),
          ),
        );
      }
    }),
  );
  await Promise.all(arrivals);
  gc.disconnect();
  agent.destroy();
  return { sendToEvent, beforeAck, lost, seconds: (performance.now() - started) / 1000, clientGcMs };
}
