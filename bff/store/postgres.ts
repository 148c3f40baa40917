// The shared order store: PostgreSQL, for several BFF instances behind a load balancer.
// Every write is one transaction. Duplicates are settled by the inbox's primary key
// (INSERT ... ON CONFLICT DO NOTHING), changes to one order by its row lock (SELECT ... FOR UPDATE),
// and reconciliation claims by FOR UPDATE SKIP LOCKED, so instances never step on each other.
import pg from 'pg';
import { isFinalStatus, type PaymentStatus, type Redirect } from '../../shared/api.ts';
import type { LineItem } from '../doku/schemas.ts';
import type { Logger } from '../log.ts';
import { decide } from '../orders/state.ts';
import { EARLIER_UNDELIVERED } from './shared-sql.ts';
import type {
  ApplyInput,
  ApplyOutcome,
  ClaimOptions,
  GatewayState,
  InboxEntry,
  NewOrder,
  Order,
  OrderEvent,
  ReportSource,
  Store,
  WebhookDue,
  WebhookSettlement,
} from './types.ts';

/** Numbered migrations; append only, never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE orders (
     invoice_number    text PRIMARY KEY,
     amount            bigint NOT NULL CHECK (amount > 0),
     status            text NOT NULL CHECK (status IN ('PENDING','SUCCESS','FAILED','EXPIRED')),
     status_token_hash text NOT NULL,
     request_id        text NOT NULL UNIQUE,
     line_items        jsonb NOT NULL,
     return_url        text NOT NULL,
     gateway_state     text NOT NULL CHECK (gateway_state IN ('requested','accepted','rejected')),
     redirect          jsonb,
     needs_review      boolean NOT NULL DEFAULT false,
     version           integer NOT NULL DEFAULT 0,
     created_at        timestamptz NOT NULL,
     updated_at        timestamptz NOT NULL,
     expires_at        timestamptz NOT NULL,
     last_checked_at   timestamptz
   );
   CREATE INDEX orders_pending_due ON orders (created_at) WHERE status = 'PENDING';
   CREATE TABLE notification_inbox (
     request_id     text PRIMARY KEY,
     seq            bigint GENERATED ALWAYS AS IDENTITY,
     invoice_number text NOT NULL,
     headers        jsonb NOT NULL,
     raw_body       text NOT NULL,
     received_at    timestamptz NOT NULL,
     outcome        text NOT NULL DEFAULT 'received'
   );
   CREATE INDEX notification_inbox_invoice ON notification_inbox (invoice_number, received_at);
   CREATE TABLE order_events (
     id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     invoice_number text NOT NULL REFERENCES orders (invoice_number),
     from_status    text NOT NULL,
     to_status      text NOT NULL,
     source         text NOT NULL,
     version        integer NOT NULL,
     at             timestamptz NOT NULL
   );
   CREATE INDEX order_events_invoice ON order_events (invoice_number, id);`,
  // The merchant-webhook outbox: a final change waits here until it is delivered (or given up on).
  `ALTER TABLE order_events ADD COLUMN webhook_attempts integer NOT NULL DEFAULT 0;
   ALTER TABLE order_events ADD COLUMN webhook_next_at timestamptz;
   ALTER TABLE order_events ADD COLUMN webhook_delivered_at timestamptz;
   CREATE INDEX order_events_webhook_due ON order_events (webhook_next_at) WHERE webhook_next_at IS NOT NULL;`,
];

/** How long one migration step may take (the pool's query timeout is for requests). */
const MIGRATION_TIMEOUT_MS = 30 * 60_000;

/** Advisory lock key that serialises migrations across instances starting at once. */
const MIGRATION_LOCK = "hashtext('linkaja-pay:migrations')";

interface OrderRow {
  invoice_number: string;
  amount: string;
  status: string;
  status_token_hash: string;
  request_id: string;
  line_items: LineItem[];
  return_url: string;
  gateway_state: string;
  redirect: Redirect | null;
  needs_review: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
  last_checked_at: Date | null;
}

const toOrder = (r: OrderRow): Order => ({
  invoiceNumber: r.invoice_number,
  // bigint arrives as a string; amounts in rupiah are far below 2^53.
  amount: Number(r.amount),
  status: r.status as PaymentStatus,
  statusTokenHash: r.status_token_hash,
  requestId: r.request_id,
  lineItems: r.line_items,
  returnUrl: r.return_url,
  gatewayState: r.gateway_state as GatewayState,
  redirect: r.redirect,
  needsReview: r.needs_review,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  expiresAt: r.expires_at,
  lastCheckedAt: r.last_checked_at,
});

export interface PostgresStoreOptions {
  log?: Logger;
  /** Pool size per instance. */
  max?: number;
  /** How long to wait for a connection before failing (readiness must not hang). */
  connectionTimeoutMs?: number;
  /** A query with no answer by then fails and its connection is dropped (a silently dead one). */
  queryTimeoutMs?: number;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly opts: PostgresStoreOptions = {},
  ) {
    this.pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      // Connections that die without a reset (NAT, failover) are found in seconds, not hours, and a
      // stuck transaction cannot hold an order's row lock for long.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      query_timeout: opts.queryTimeoutMs ?? 15_000,
      statement_timeout: 10_000,
      lock_timeout: 5_000,
      idle_in_transaction_session_timeout: 10_000,
    });
    // An idle client whose server went away emits here; without a listener the process would crash.
    this.pool.on('error', (err) => opts.log?.warn({ reason: err.message }, 'postgres idle client error'));
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // The pool's short timeouts are for requests: waiting for another instance's migration, or a
      // long index build on a big table, must not stop a start.
      await c.query('SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0');
      const unhurried = (text: string, values?: unknown[]) =>
        c.query({ text, values, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
      await unhurried(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await c.query<{ v: number }>(
        'SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations',
      );
      for (let i = rows[0].v; i < MIGRATIONS.length; i++) {
        await unhurried(MIGRATIONS[i]);
        await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
        this.opts.log?.info({ migration: i + 1 }, 'postgres migration applied');
      }
    });
  }

  async insertOrder(o: NewOrder): Promise<void> {
    await this.pool.query(
      `INSERT INTO orders (invoice_number, amount, status, status_token_hash, request_id, line_items, return_url,
         gateway_state, redirect, needs_review, version, created_at, updated_at, expires_at, last_checked_at)
       VALUES ($1, $2, 'PENDING', $3, $4, $5, $6, 'requested', NULL, false, 0, $7, $7, $8, NULL)`,
      [
        o.invoiceNumber,
        o.amount,
        o.statusTokenHash,
        o.requestId,
        JSON.stringify(o.lineItems),
        o.returnUrl,
        o.createdAt,
        o.expiresAt,
      ],
    );
  }

  async markAccepted(invoiceNumber: string, redirect: Redirect, now: Date): Promise<void> {
    // A late acceptance never overrides a refusal already recorded.
    await this.pool.query(
      `UPDATE orders SET gateway_state = 'accepted', redirect = $1, updated_at = $2
       WHERE invoice_number = $3 AND gateway_state <> 'rejected'`,
      [JSON.stringify(redirect), now, invoiceNumber],
    );
  }

  async markRejected(invoiceNumber: string, now: Date): Promise<Order | null> {
    return this.tx(async (c) => {
      const row = await this.lockOrder(c, invoiceNumber);
      if (!row) return null;
      if (row.status === 'PENDING') {
        const { rows } = await c.query<OrderRow>(
          `UPDATE orders SET gateway_state = 'rejected', status = 'FAILED', version = version + 1, updated_at = $1
           WHERE invoice_number = $2 RETURNING *`,
          [now, invoiceNumber],
        );
        await this.insertEvent(c, invoiceNumber, 'PENDING', 'FAILED', 'gateway', rows[0].version, now);
        return toOrder(rows[0]);
      }
      const { rows } = await c.query<OrderRow>(
        `UPDATE orders SET gateway_state = 'rejected' WHERE invoice_number = $1 RETURNING *`,
        [invoiceNumber],
      );
      return toOrder(rows[0]);
    });
  }

  async getOrder(invoiceNumber: string): Promise<Order | null> {
    const { rows } = await this.pool.query<OrderRow>('SELECT * FROM orders WHERE invoice_number = $1', [invoiceNumber]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async applyReport(input: ApplyInput): Promise<ApplyOutcome> {
    return this.tx(async (c): Promise<ApplyOutcome> => {
      const { inbox } = input;
      if (inbox) {
        // A concurrent insert of the same Request-Id waits here for the first to commit, then does nothing.
        const ins = await c.query(
          `INSERT INTO notification_inbox (request_id, invoice_number, headers, raw_body, received_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
          [inbox.requestId, inbox.invoiceNumber, JSON.stringify(inbox.headers), inbox.rawBody, inbox.receivedAt],
        );
        if (ins.rowCount === 0) return { kind: 'duplicate' };
      }
      const setOutcome = async (outcome: string) => {
        if (inbox)
          await c.query('UPDATE notification_inbox SET outcome = $1 WHERE request_id = $2', [outcome, inbox.requestId]);
      };
      const row = await this.lockOrder(c, input.invoiceNumber);
      if (!row) {
        await setOutcome('unknown_invoice');
        return { kind: 'unknown_invoice' };
      }
      const previous = row.status as PaymentStatus;
      const verdict = decide(previous, Number(row.amount), input.report);
      let after = row;
      if (verdict.kind === 'transition') {
        ({
          rows: [after],
        } = await c.query<OrderRow>(
          'UPDATE orders SET status = $1, version = version + 1, updated_at = $2 WHERE invoice_number = $3 RETURNING *',
          [verdict.to, input.now, input.invoiceNumber],
        ));
        const webhookAt = input.queueWebhook && isFinalStatus(verdict.to) ? input.now : null;
        await this.insertEvent(
          c,
          input.invoiceNumber,
          previous,
          verdict.to,
          input.source,
          after.version,
          input.now,
          webhookAt,
        );
      } else if (verdict.kind === 'amount_mismatch') {
        ({
          rows: [after],
        } = await c.query<OrderRow>(
          'UPDATE orders SET needs_review = true, updated_at = $1 WHERE invoice_number = $2 RETURNING *',
          [input.now, input.invoiceNumber],
        ));
      }
      await setOutcome(verdict.kind);
      return { kind: 'applied', verdict, previous, order: toOrder(after) };
    });
  }

  async claimDueForCheck(opts: ClaimOptions): Promise<Order[]> {
    // SKIP LOCKED: rows another instance is claiming right now are left to it; a row it has just
    // claimed is re-checked after its commit (READ COMMITTED) and no longer matches the interval.
    const { rows } = await this.pool.query<OrderRow>(
      `UPDATE orders SET last_checked_at = $1
       WHERE invoice_number IN (
         SELECT invoice_number FROM orders
         WHERE status = 'PENDING' AND gateway_state <> 'rejected'
           AND created_at <= $2
           AND (last_checked_at IS NULL OR last_checked_at <= $3)
         ORDER BY last_checked_at NULLS FIRST, created_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [
        new Date(opts.now.getTime() + (opts.leaseMs ?? 0)),
        new Date(opts.now.getTime() - opts.minAgeMs),
        new Date(opts.now.getTime() - opts.intervalMs),
        opts.limit,
      ],
    );
    return rows.map(toOrder).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async releaseCheck(invoiceNumber: string, at: Date, leaseUntil: Date): Promise<void> {
    await this.pool.query('UPDATE orders SET last_checked_at = $1 WHERE invoice_number = $2 AND last_checked_at = $3', [
      at,
      invoiceNumber,
      leaseUntil,
    ]);
  }

  async claimWebhooks(opts: { now: Date; leaseMs: number; limit: number }): Promise<WebhookDue[]> {
    // SKIP LOCKED, as for reconciliation: two instances never take the same delivery at once.
    const { rows } = await this.pool.query<{
      id: string;
      invoice_number: string;
      to_status: string;
      version: number;
      at: Date;
      webhook_attempts: number;
      amount: string;
    }>(
      `UPDATE order_events e SET webhook_attempts = e.webhook_attempts + 1, webhook_next_at = $2
       FROM orders o
       WHERE o.invoice_number = e.invoice_number AND e.id IN (
         SELECT id FROM order_events d WHERE webhook_next_at IS NOT NULL AND webhook_next_at <= $1
           AND NOT EXISTS (${EARLIER_UNDELIVERED})
         ORDER BY webhook_next_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING e.id, e.invoice_number, e.to_status, e.version, e.at, e.webhook_attempts, o.amount`,
      [opts.now, new Date(opts.now.getTime() + opts.leaseMs), opts.limit],
    );
    return rows
      .map((r) => ({
        eventId: Number(r.id),
        invoiceNumber: r.invoice_number,
        amount: Number(r.amount),
        status: r.to_status as PaymentStatus,
        version: r.version,
        at: r.at,
        attempts: r.webhook_attempts,
      }))
      .sort((a, b) => a.eventId - b.eventId);
  }

  async settleWebhook(due: Pick<WebhookDue, 'eventId' | 'attempts'>, settlement: WebhookSettlement): Promise<void> {
    if ('deliveredAt' in settlement) {
      await this.pool.query('UPDATE order_events SET webhook_delivered_at = $1, webhook_next_at = NULL WHERE id = $2', [
        settlement.deliveredAt,
        due.eventId,
      ]);
    } else {
      await this.pool.query(
        'UPDATE order_events SET webhook_next_at = $1 WHERE id = $2 AND webhook_attempts = $3 AND webhook_delivered_at IS NULL',
        [settlement.nextAt, due.eventId, due.attempts],
      );
    }
  }

  async listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>> {
    const { rows } = await this.pool.query<{
      request_id: string;
      invoice_number: string;
      headers: Record<string, string>;
      raw_body: string;
      received_at: Date;
      outcome: string;
    }>('SELECT * FROM notification_inbox WHERE invoice_number = $1 ORDER BY received_at, seq', [invoiceNumber]);
    return rows.map((r) => ({
      requestId: r.request_id,
      invoiceNumber: r.invoice_number,
      headers: r.headers,
      rawBody: r.raw_body,
      receivedAt: r.received_at,
      outcome: r.outcome,
    }));
  }

  async listEvents(invoiceNumber: string): Promise<OrderEvent[]> {
    const { rows } = await this.pool.query<{
      from_status: string;
      to_status: string;
      source: string;
      version: number;
      at: Date;
    }>('SELECT from_status, to_status, source, version, at FROM order_events WHERE invoice_number = $1 ORDER BY id', [
      invoiceNumber,
    ]);
    return rows.map((r) => ({
      from: r.from_status as PaymentStatus,
      to: r.to_status as PaymentStatus,
      source: r.source as OrderEvent['source'],
      version: r.version,
      at: r.at,
    }));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** Run fn in one transaction on one pooled connection; a broken connection is discarded, not reused. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client whose server goes away emits 'error' besides failing its query; the pool
    // listens only to idle clients, so without this the process would crash mid-transaction.
    const onError = (err: Error) => {
      broken = err;
    };
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  private async lockOrder(c: pg.PoolClient, invoiceNumber: string): Promise<OrderRow | undefined> {
    const { rows } = await c.query<OrderRow>('SELECT * FROM orders WHERE invoice_number = $1 FOR UPDATE', [
      invoiceNumber,
    ]);
    return rows[0];
  }

  private async insertEvent(
    c: pg.PoolClient,
    invoiceNumber: string,
    from: PaymentStatus,
    to: PaymentStatus,
    source: ReportSource | 'gateway',
    version: number,
    at: Date,
    webhookAt: Date | null = null,
  ): Promise<void> {
    await c.query(
      'INSERT INTO order_events (invoice_number, from_status, to_status, source, version, at, webhook_next_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [invoiceNumber, from, to, source, version, at, webhookAt],
    );
  }
}
