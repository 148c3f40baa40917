// The shared order store: PostgreSQL, for several BFF instances behind a load balancer.
// Every write is one transaction. Duplicates are settled by the inbox's primary key
// (INSERT ... ON CONFLICT DO NOTHING), changes to one order by its row lock (SELECT ... FOR UPDATE),
// and reconciliation claims by FOR UPDATE SKIP LOCKED, so instances never step on each other.
// A status change is announced with pg_notify inside the transaction that commits it: PostgreSQL
// delivers it if and only if that transaction commits, to every instance's listener.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { checkChannel, encodeStatus, STATUS_CHANNEL } from '../events/status-channel.ts';
import type { Redirect } from '../../shared/api.ts';
import type { InboxEntry, NewOrder, Order, OrderEvent } from '../orders/order.ts';
import type { FindOrCreateInput, FindOrCreateOutcome } from '../orders/payment-keys.ts';
import { planRejection, planReport, type ApplyInput, type ApplyOutcome, type Plan } from '../orders/plan.ts';
import type { ReadToken } from '../orders/read-tokens.ts';
import { runMigrations } from './migrate.ts';
import { PostgresPayments } from './postgres-payments.ts';
import { recordAndLock, writePlan, type Locked } from './postgres-report.ts';
import { ReportGroups } from './postgres-report-groups.ts';
import { inTransaction, onConnection, openPool, together, type PoolOptions } from './postgres-pool.ts';
import * as stored from './rows.ts';
import { checkQueueSql, COUNT_LATE_PAYMENTS, EARLIER_UNDELIVERED } from './shared-sql.ts';
import type {
  CheckRelease,
  ClaimOptions,
  OrderQuery,
  Store,
  WebhookDue,
  WebhookOutbox,
  WebhookSettlement,
} from './types.ts';
import { sqlWebhookOutbox } from './webhook-outbox.ts';
import { oldestDueCheck, type DueCheckQuery } from './figures.ts';

const POSTGRES = stored.POSTGRES_CODEC;

/** How long one migration step may take (the pool's query timeout is for requests). */
const MIGRATION_TIMEOUT_MS = 30 * 60_000;

/** Advisory lock key that serialises migrations across instances starting at once. */
const MIGRATION_LOCK = "hashtext('linkaja-pay:migrations')";

export interface PostgresStoreOptions extends PoolOptions {
  /** NOTIFY channel status changes are announced on; the instances' buses listen on it. */
  statusChannel?: string;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly statusChannel: string;
  /** This store instance, named in its announcements. */
  private readonly origin = randomUUID();
  /** Payments found again, read tokens, order lists: in their own module, on this pool. */
  private readonly payments: PostgresPayments;
  readonly webhookOutbox: WebhookOutbox;
  private readonly reportGroups: ReportGroups;
  oldestDueCheck = (q: DueCheckQuery) => oldestDueCheck((sql, v) => this.rows(sql, v), POSTGRES, q);

  constructor(
    connectionString: string,
    private readonly opts: PostgresStoreOptions = {},
  ) {
    this.statusChannel = checkChannel(opts.statusChannel ?? STATUS_CHANNEL);
    this.pool = openPool(connectionString, opts);
    this.payments = new PostgresPayments(this.pool);
    this.webhookOutbox = sqlWebhookOutbox((sql, values) => this.rows(sql, values), POSTGRES);
    this.reportGroups = new ReportGroups({
      pool: this.pool,
      alone: (input) => this.applyReportAlone(input),
      lockWithReference: (c, invoice) => this.lockWithReference(c, invoice),
      write: (c, plan) => this.write(c, plan),
    });
  }

  async migrate(): Promise<void> {
    await runMigrations(
      'postgres',
      (fn) =>
        inTransaction(this.pool, async (c) => {
          // The pool's short timeouts are for requests: waiting for another instance's migration, or a
          // long index build on a big table, must not stop a start.
          await c.query('SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0');
          const unhurried = (text: string, values?: unknown[]) =>
            c.query({ text, values, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
          await unhurried(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
          await c.query(
            'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
          );
          await fn({
            exec: async (sql) => void (await unhurried(sql)),
            appliedVersions: async () =>
              (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
            record: async (version) =>
              void (await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version])),
          });
        }),
      this.opts.log,
    );
  }

  insertOrder(o: NewOrder): Promise<void> {
    return this.payments.insertOrder(o);
  }

  findOrCreatePayment(input: FindOrCreateInput): Promise<FindOrCreateOutcome> {
    return this.payments.findOrCreate(input);
  }

  releasePaymentKeys(invoiceNumber: string): Promise<void> {
    return this.payments.releaseKeys(invoiceNumber);
  }

  addReadToken(invoiceNumber: string, token: ReadToken, now: Date): Promise<void> {
    return this.payments.addToken(invoiceNumber, token, now);
  }

  getOrderWithTokens(invoiceNumber: string): Promise<{ order: Order; tokens: ReadToken[] } | null> {
    return this.payments.withTokens(invoiceNumber);
  }

  getStatusWithTokens: Store['getStatusWithTokens'] = (invoice) => this.payments.statusWithTokens(invoice);

  listOrders(query: OrderQuery): Promise<Order[]> {
    return this.payments.list(query);
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
    return inTransaction(this.pool, async (c) => {
      const plan = planRejection(await this.lockOrder(c, invoiceNumber), now);
      await this.write(c, plan);
      return plan.outcome;
    });
  }

  async getOrder(invoiceNumber: string): Promise<Order | null> {
    const [row] = await this.rows('SELECT * FROM orders WHERE invoice_number = $1', [invoiceNumber]);
    return row ? stored.toOrder(row, POSTGRES) : null;
  }

  /** Reports share transactions under load (postgres-report-groups.ts); alone, each has its own. */
  applyReport(input: ApplyInput): Promise<ApplyOutcome> {
    return this.reportGroups.apply(input);
  }

  private applyReportAlone(input: ApplyInput): Promise<ApplyOutcome> {
    // Two round trips in the common case: BEGIN with the inbox insert and the order's lock, then the
    // plan's writes with COMMIT (a COMMIT behind a failed write rolls back). BEGIN fails only with its
    // connection, and the statement behind it then too.
    return onConnection(this.pool, async (c): Promise<ApplyOutcome> => {
      // A concurrent insert of the same Request-Id waits here for the first to commit, then does nothing.
      const [, locked] = (await together(c, () => [c.query('BEGIN'), recordAndLock(c, input)])) as [unknown, Locked];
      let { order } = locked;
      let sibling: string | null = null;
      if (!locked.inboxSeen && !order && locked.known)
        ({ order, sibling } = await this.lockWithReference(c, input.invoiceNumber));
      const plan = planReport(order, input, locked.inboxSeen, sibling);
      await together(c, () => [this.write(c, plan), c.query('COMMIT')]);
      return plan.outcome;
    });
  }

  /**
   * A move to SUCCESS of an order with a reference looks for another paid order of its reference,
   * holding the reference's lock (taken before the order's row lock).
   */
  private async lockWithReference(c: pg.PoolClient, invoiceNumber: string) {
    const reference = await this.payments.lockReferenceOf(c, invoiceNumber);
    const order = await this.lockOrder(c, invoiceNumber);
    const sibling = order && reference ? await this.payments.paidSibling(c, reference, order.invoiceNumber) : null;
    return { order, sibling };
  }

  async claimDueForCheck(opts: ClaimOptions): Promise<Order[]> {
    // SKIP LOCKED: rows another instance is claiming right now are left to it; a row it has just
    // claimed is re-checked after its commit (READ COMMITTED) and is no longer due (leased).
    const rows = await this.rows(
      `UPDATE orders SET last_checked_at = $1, next_check_at = $2
       WHERE invoice_number IN (
         SELECT invoice_number FROM orders WHERE ${checkQueueSql(opts.queue, '$5', '$3')}
         LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [
        opts.now,
        new Date(opts.now.getTime() + (opts.leaseMs ?? 0)),
        new Date(opts.now.getTime() - opts.minAgeMs),
        opts.limit,
        opts.dueBy ?? opts.now,
      ],
    );
    return rows.map((r) => stored.toOrder(r, POSTGRES)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async releaseCheck(invoiceNumber: string, { leaseUntil, nextCheckAt }: CheckRelease): Promise<void> {
    await this.pool.query('UPDATE orders SET next_check_at = $1 WHERE invoice_number = $2 AND next_check_at = $3', [
      nextCheckAt,
      invoiceNumber,
      leaseUntil,
    ]);
  }

  async countLatePayments(): Promise<number> {
    return Number((await this.rows(COUNT_LATE_PAYMENTS, []))[0].n);
  }

  async claimWebhooks(opts: { now: Date; leaseMs: number; limit: number }): Promise<WebhookDue[]> {
    // SKIP LOCKED, as for reconciliation: two instances never take the same delivery at once.
    const rows = await this.rows(
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
    return rows.map((r) => stored.toWebhookDue(r, POSTGRES)).sort((a, b) => a.eventId - b.eventId);
  }

  async settleWebhook(due: Pick<WebhookDue, 'eventId' | 'attempts'>, settlement: WebhookSettlement): Promise<void> {
    if ('deliveredAt' in settlement) {
      await this.pool.query(
        'UPDATE order_events SET webhook_delivered_at = $1, webhook_next_at = NULL, webhook_last_error = NULL WHERE id = $2',
        [settlement.deliveredAt, due.eventId],
      );
    } else {
      await this.pool.query(
        `UPDATE order_events SET webhook_next_at = $1, webhook_last_error = $2
         WHERE id = $3 AND webhook_attempts = $4 AND webhook_delivered_at IS NULL`,
        [settlement.nextAt, settlement.error ?? null, due.eventId, due.attempts],
      );
    }
  }

  async listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>> {
    const rows = await this.rows(
      'SELECT * FROM notification_inbox WHERE invoice_number = $1 ORDER BY received_at, seq',
      [invoiceNumber],
    );
    return rows.map((r) => stored.toInboxEntry(r, POSTGRES));
  }

  async listEvents(invoiceNumber: string): Promise<OrderEvent[]> {
    const rows = await this.rows('SELECT * FROM order_events WHERE invoice_number = $1 ORDER BY id', [invoiceNumber]);
    return rows.map((r) => stored.toOrderEvent(r, POSTGRES));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async rows(sql: string, values: unknown[]): Promise<stored.Row[]> {
    return (await this.pool.query<stored.Row>(sql, values)).rows;
  }

  private async lockOrder(c: pg.PoolClient, invoiceNumber: string): Promise<Order | null> {
    const { rows } = await c.query<stored.Row>('SELECT * FROM orders WHERE invoice_number = $1 FOR UPDATE', [
      invoiceNumber,
    ]);
    return rows[0] ? stored.toOrder(rows[0], POSTGRES) : null;
  }

  /** Write what a plan says, inside the caller's transaction (one statement, postgres-report.ts). */
  private write<Outcome>(c: pg.PoolClient, plan: Plan<Outcome>): Promise<void> {
    return writePlan(c, plan, (change) => [this.statusChannel, encodeStatus(change, this.origin)]);
  }
}
