// The embedded order store: one SQLite file (WAL), for a shop served by one BFF process.
// better-sqlite3 is synchronous, so every method is one short transaction on the event loop;
// writes take the lock up front (BEGIN IMMEDIATE) so a second process on the same file waits
// (busy_timeout) instead of failing half-way. Reports are committed in groups (sqlite-group-commit.ts).
// Dates are stored as epoch milliseconds. A status change is announced (to the process's in-memory
// bus) as soon as its transaction has committed.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Redirect } from '../../shared/api.ts';
import { type InboxEntry, type NewOrder, type Order, type OrderEvent, type StatusChange } from '../orders/order.ts';
import { planRejection, planReport, type ApplyInput, type ApplyOutcome, type Plan } from '../orders/plan.ts';
import type { FindOrCreateInput, FindOrCreateOutcome } from '../orders/payment-keys.ts';
import type { ReadToken } from '../orders/read-tokens.ts';
import { runMigrations, type MigrationTx } from './migrate.ts';
import * as stored from './rows.ts';
import { inboxValues } from './rows.ts';
import { checkQueueSql, COUNT_LATE_PAYMENTS, EARLIER_UNDELIVERED, INBOX_INSERT, positional } from './shared-sql.ts';
import { GroupCommit } from './sqlite-group-commit.ts';
import { SqlitePayments } from './sqlite-payments.ts';
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

const SQLITE = stored.SQLITE_CODEC;
const INSERT_INBOX = positional(INBOX_INSERT);

export interface SqliteStoreOptions {
  /** Where committed status changes go (the in-memory bus); nowhere when absent. */
  announce?: (change: StatusChange) => void;
}

export class SqliteStore implements Store {
  /** With `stmt` and `readOrder`: what sqlite-payments.ts uses of this store (SqliteAccess). */
  readonly db: Database.Database;
  /** Prepared statements, compiled once per SQL text. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Payments found again, read tokens, order lists: in their own module, on this handle. */
  private readonly payments: SqlitePayments;
  /** Reports committed together, a group per turn of the event loop (sqlite-group-commit.ts). */
  private readonly groupCommit: GroupCommit;
  readonly webhookOutbox: WebhookOutbox = sqlWebhookOutbox(async (sql, v) => this.rows(positional(sql), v), SQLITE);
  oldestDueCheck = (q: DueCheckQuery) => oldestDueCheck(async (sql, v) => this.rows(positional(sql), v), SQLITE, q);

  constructor(
    readonly path: string,
    private readonly opts: SqliteStoreOptions = {},
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    // In WAL: a commit survives a crash of the process, not a power cut (the reconciler re-learns those from DOKU).
    this.db.pragma('synchronous = NORMAL');
    this.payments = new SqlitePayments(this);
    this.groupCommit = new GroupCommit(this.db);
  }

  async migrate(): Promise<void> {
    const tx: MigrationTx = {
      exec: async (sql) => void this.db.exec(sql),
      appliedVersions: async () => this.rows('SELECT version FROM schema_migrations').map((r) => Number(r.version)),
      record: async (version) =>
        void this.stmt('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now()),
    };
    await runMigrations('sqlite', async (fn) => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
        );
        await fn(tx);
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
    // A migration may have rebuilt a table: statements prepared against the old one are stale.
    this.statements.clear();
  }

  async insertOrder(o: NewOrder): Promise<void> {
    this.payments.insertOrder(o);
  }

  async findOrCreatePayment(input: FindOrCreateInput): Promise<FindOrCreateOutcome> {
    return this.payments.findOrCreate(input);
  }

  async releasePaymentKeys(invoiceNumber: string): Promise<void> {
    this.payments.releaseKeys(invoiceNumber);
  }

  async addReadToken(invoiceNumber: string, token: ReadToken, now: Date): Promise<void> {
    this.payments.addToken(invoiceNumber, token, now);
  }

  async getOrderWithTokens(invoiceNumber: string): Promise<{ order: Order; tokens: ReadToken[] } | null> {
    return this.payments.withTokens(invoiceNumber);
  }

  getStatusWithTokens: Store['getStatusWithTokens'] = async (invoice) => this.payments.statusWithTokens(invoice);

  async listOrders(query: OrderQuery): Promise<Order[]> {
    return this.payments.list(query);
  }

  async markAccepted(invoiceNumber: string, redirect: Redirect, now: Date): Promise<void> {
    // A late acceptance never overrides a refusal already recorded.
    this.stmt(
      `UPDATE orders SET gateway_state = 'accepted', redirect = ?, updated_at = ?
         WHERE invoice_number = ? AND gateway_state <> 'rejected'`,
    ).run(JSON.stringify(redirect), now.getTime(), invoiceNumber);
  }

  async markRejected(invoiceNumber: string, now: Date): Promise<Order | null> {
    const run = this.db.transaction(() => this.carryOut(planRejection(this.readOrder(invoiceNumber), now)));
    return this.announced(run.immediate());
  }

  async getOrder(invoiceNumber: string): Promise<Order | null> {
    return this.readOrder(invoiceNumber);
  }

  async applyReport(input: ApplyInput): Promise<ApplyOutcome> {
    // In the next group commit (BEGIN IMMEDIATE holds the write lock from the start: the order read
    // here is the one the plan changes); announced only once the group has committed.
    const plan = await this.groupCommit.run((): Plan<ApplyOutcome> => {
      const { inbox } = input;
      const inboxSeen = inbox !== undefined && this.stmt(INSERT_INBOX).run(...inboxValues(inbox, SQLITE)).changes === 0;
      const order = inboxSeen ? null : this.readOrder(input.invoiceNumber);
      const sibling =
        order?.reference && input.report.status === 'SUCCESS'
          ? this.payments.paidSibling(order.reference, order.invoiceNumber)
          : null;
      return this.carryOut(planReport(order, input, inboxSeen, sibling));
    });
    return this.announced(plan);
  }

  async claimDueForCheck(opts: ClaimOptions): Promise<Order[]> {
    const now = opts.now.getTime();
    const run = this.db.transaction((): Order[] =>
      this.rows(
        `UPDATE orders SET last_checked_at = @now, next_check_at = @leaseUntil
           WHERE invoice_number IN (
             SELECT invoice_number FROM orders WHERE ${checkQueueSql(opts.queue, '@dueBy', '@createdBefore')} LIMIT @limit)
           RETURNING *`,
        {
          now,
          dueBy: opts.dueBy?.getTime() ?? now,
          leaseUntil: now + (opts.leaseMs ?? 0),
          createdBefore: now - opts.minAgeMs,
          limit: opts.limit,
        },
      )
        .map((r) => stored.toOrder(r, SQLITE))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    );
    return run.immediate();
  }

  async releaseCheck(invoiceNumber: string, { leaseUntil, nextCheckAt }: CheckRelease): Promise<void> {
    this.stmt('UPDATE orders SET next_check_at = ? WHERE invoice_number = ? AND next_check_at = ?').run(
      nextCheckAt?.getTime() ?? null,
      invoiceNumber,
      leaseUntil.getTime(),
    );
  }

  async countLatePayments(): Promise<number> {
    return Number((this.stmt(COUNT_LATE_PAYMENTS).get() as { n: number }).n);
  }

  async claimWebhooks(opts: { now: Date; leaseMs: number; limit: number }): Promise<WebhookDue[]> {
    const now = opts.now.getTime();
    const run = this.db.transaction((): WebhookDue[] =>
      this.rows(
        `UPDATE order_events SET webhook_attempts = webhook_attempts + 1, webhook_next_at = @leaseUntil
           WHERE id IN (
             SELECT id FROM order_events d WHERE webhook_next_at IS NOT NULL AND webhook_next_at <= @now
               AND NOT EXISTS (${EARLIER_UNDELIVERED})
             ORDER BY webhook_next_at, id LIMIT @limit)
           RETURNING id, invoice_number, to_status, version, at, webhook_attempts,
             (SELECT amount FROM orders o WHERE o.invoice_number = order_events.invoice_number) AS amount`,
        { now, leaseUntil: now + opts.leaseMs, limit: opts.limit },
      )
        .map((r) => stored.toWebhookDue(r, SQLITE))
        .sort((a, b) => a.eventId - b.eventId),
    );
    return run.immediate();
  }

  async settleWebhook(due: Pick<WebhookDue, 'eventId' | 'attempts'>, settlement: WebhookSettlement): Promise<void> {
    if ('deliveredAt' in settlement) {
      this.stmt(
        'UPDATE order_events SET webhook_delivered_at = ?, webhook_next_at = NULL, webhook_last_error = NULL WHERE id = ?',
      ).run(settlement.deliveredAt.getTime(), due.eventId);
    } else {
      this.stmt(
        `UPDATE order_events SET webhook_next_at = ?, webhook_last_error = ?
           WHERE id = ? AND webhook_attempts = ? AND webhook_delivered_at IS NULL`,
      ).run(settlement.nextAt?.getTime() ?? null, settlement.error ?? null, due.eventId, due.attempts);
    }
  }

  async listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>> {
    return this.rows('SELECT * FROM notification_inbox WHERE invoice_number = ? ORDER BY received_at, seq', [
      invoiceNumber,
    ]).map((r) => stored.toInboxEntry(r, SQLITE));
  }

  async listEvents(invoiceNumber: string): Promise<OrderEvent[]> {
    return this.rows('SELECT * FROM order_events WHERE invoice_number = ? ORDER BY id', [invoiceNumber]).map((r) =>
      stored.toOrderEvent(r, SQLITE),
    );
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.groupCommit.flush();
    this.db.close();
  }

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private rows(sql: string, params: unknown[] | Record<string, unknown> = []): stored.Row[] {
    return this.stmt(sql).all(params) as stored.Row[];
  }

  readOrder(invoiceNumber: string): Order | null {
    const row = this.stmt('SELECT * FROM orders WHERE invoice_number = ?').get(invoiceNumber) as stored.Row | undefined;
    return row ? stored.toOrder(row, SQLITE) : null;
  }

  /** Write what a plan says, inside the caller's transaction. */
  private carryOut<Outcome>(plan: Plan<Outcome>): Plan<Outcome> {
    const { order, event, inbox } = plan;
    if (order) {
      this.stmt(
        `UPDATE orders SET status = ?, gateway_state = ?, needs_review = ?, duplicate_of = ?, version = ?,
           updated_at = ?, next_check_at = ? WHERE invoice_number = ?`,
      ).run(
        order.status,
        order.gatewayState,
        SQLITE.writeBool(order.needsReview),
        order.duplicateOf,
        order.version,
        SQLITE.writeDate(order.updatedAt),
        order.nextCheckAt?.getTime() ?? null,
        order.invoiceNumber,
      );
    }
    if (event) {
      this.stmt(
        `INSERT INTO order_events (invoice_number, from_status, to_status, source, version, at, webhook_next_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        event.invoiceNumber,
        event.from,
        event.to,
        event.source,
        event.version,
        event.at.getTime(),
        event.webhookAt?.getTime() ?? null,
      );
    }
    if (inbox) {
      this.stmt('UPDATE notification_inbox SET outcome = ? WHERE request_id = ?').run(inbox.outcome, inbox.requestId);
    }
    return plan;
  }

  /** After the commit: one process, so nothing can come between the commit and this but a crash that ends the streams too. */
  private announced<Outcome>(plan: Plan<Outcome>): Outcome {
    if (plan.announce) this.opts.announce?.(plan.announce);
    return plan.outcome;
  }
}
