// Status changes across BFF instances: PostgreSQL LISTEN/NOTIFY on one channel. Stores announce
// each change with pg_notify inside the transaction that commits it (so a committed change cannot
// lose its announcement); one dedicated connection per instance LISTENs and hands every change, its
// own instance's too, to local subscribers: one path for all, in commit order. One loop keeps that
// connection: it pings it, and when it is gone reconnects at once, then with jittered back-off;
// changes committed while it was away are recovered through `resync` (re-read from the store for
// every invoice with an open stream) - streams drop stale versions, so repeats are harmless.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Loop } from '../lib/loop.ts';
import type { Logger } from '../log.ts';
import type { StatusChange } from '../orders/order.ts';
import { MemoryBus, type EventBus } from './bus.ts';
import { checkChannel, decodeStatus, STATUS_CHANNEL } from './status-channel.ts';

export interface PgBusOptions {
  /** NOTIFY channel, the one the stores announce on (tests may isolate themselves with their own). */
  channel?: string;
  /** Wait after the first failed reconnect; doubles per failed attempt up to maxBackoffMs (jittered). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often the LISTEN connection proves it is alive (a silently dead one hears nothing). */
  pingMs?: number;
  /** A ping without an answer by then counts the connection as dead. */
  pingTimeoutMs?: number;
  /** The current state of an invoice, used after a reconnect to catch up on missed changes. */
  resync?: (invoiceNumber: string) => Promise<StatusChange | null>;
}

export class PgBus implements EventBus {
  private readonly local: MemoryBus;
  private readonly events = new EventEmitter();
  private readonly channel: string;
  private listener: pg.Client | null = null;
  /** Open subscriptions per invoice (what to resync after a gap). */
  private readonly streams = new Map<string, number>();
  /** Pings a live connection every pingMs; reconnects a lost one. */
  private readonly keeper: Loop;
  private closed = false;
  /** True while the LISTEN connection is up and subscribed. */
  listening = false;
  /** How many times the LISTEN connection has been established (1 after open). */
  listenCount = 0;
  /** Server process id of the LISTEN connection (tests terminate it to prove reconnects). */
  listenerPid: number | null = null;

  private constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly opts: PgBusOptions,
  ) {
    this.channel = checkChannel(opts.channel ?? STATUS_CHANNEL);
    this.local = new MemoryBus(log);
    this.events.setMaxListeners(0);
    this.keeper = new Loop({
      intervalMs: opts.pingMs ?? 30_000,
      runAtStart: false,
      backoff: { minMs: opts.minBackoffMs ?? 100, maxMs: opts.maxBackoffMs ?? 5000 },
      run: () => (this.listener ? this.ping(this.listener) : this.listen()),
      onError: (err, retryInMs) =>
        log.warn({ channel: this.channel, reason: (err as Error).message, retryInMs }, 'status bus reconnect failed'),
    });
  }

  /** Connect and LISTEN; fails if PostgreSQL does not answer now (start-up should fail loudly). */
  static async open(url: string, log: Logger, opts: PgBusOptions = {}): Promise<PgBus> {
    const bus = new PgBus(url, log, opts);
    try {
      await bus.listen();
    } catch (err) {
      await bus.close();
      throw err;
    }
    bus.keeper.start();
    return bus;
  }

  subscribe(invoiceNumber: string, listener: (change: StatusChange) => void): () => void {
    const off = this.local.subscribe(invoiceNumber, listener);
    this.streams.set(invoiceNumber, (this.streams.get(invoiceNumber) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const n = (this.streams.get(invoiceNumber) ?? 1) - 1;
      if (n > 0) this.streams.set(invoiceNumber, n);
      else this.streams.delete(invoiceNumber);
    };
  }

  /** Resolves when the LISTEN connection is up (at once if it already is). */
  whenListening(timeoutMs = 10_000): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('listening', done);
        reject(new Error(`status bus not listening after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.events.once('listening', done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.keeper.stop();
    const client = this.listener;
    this.listener = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
    await this.local.close();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'linkaja-pay-status-listener',
    });
    // Attach before connecting: an error event without a listener would crash the process.
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (msg) => this.received(msg.payload));
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await client.query(`LISTEN ${this.channel}`);
      if (this.closed) throw new Error('closed');
      this.listener = client;
      this.listenerPid = rows[0].pid;
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    const reconnected = this.listenCount > 0;
    this.listening = true;
    this.listenCount++;
    if (reconnected) {
      this.log.info({ channel: this.channel, reconnects: this.listenCount - 1 }, 'status bus listening again');
      void this.resync();
    }
    this.events.emit('listening');
  }

  /** Nothing a payload holds can throw here (pg calls this outside any try). */
  private received(payload: string | undefined): void {
    const change = decodeStatus(payload);
    if (change) this.local.deliver(change);
    else this.log.warn({ channel: this.channel }, 'status bus: ignored a payload that is not a status change');
  }

  /**
   * A LISTEN connection that died without a reset (NAT or load balancer drop, failover) would look
   * up for hours while hearing nothing: a periodic SELECT 1 finds out, and the socket is dropped so
   * the usual reconnect and resync follow.
   */
  private async ping(client: pg.Client): Promise<void> {
    const timeoutMs = this.opts.pingTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to a ping within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([client.query('SELECT 1'), silent]);
    } catch (err) {
      this.lost(client, (err as Error).message);
      // pg has no public destroy; its socket is what is dead.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  /** The LISTEN connection died: forget it and reconnect at once (once per dead connection). */
  private lost(client: pg.Client, reason: string): void {
    if (this.listener !== client) return;
    this.listener = null;
    this.listening = false;
    this.listenerPid = null;
    if (this.closed) return;
    this.log.warn({ channel: this.channel, reason }, 'status bus connection lost; reconnecting');
    this.keeper.kick();
  }

  /** After a gap, re-read every invoice that has an open stream here. */
  private async resync(): Promise<void> {
    const { resync } = this.opts;
    if (!resync) return;
    const invoices = [...this.streams.keys()];
    for (const invoice of invoices) {
      const change = await resync(invoice).catch(() => null);
      if (change) this.local.deliver(change);
    }
  }
}
