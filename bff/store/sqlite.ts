// The embedded order store: one SQLite file (WAL), for a shop served by one BFF process.
// better-sqlite3 is synchronous, so every method is one short transaction on the event loop;
// writes take the lock up front (BEGIN IMMEDIATE) so a second process on the same file waits
// (busy_timeout) instead of failing half-way. Dates are stored as epoch milliseconds.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isFinalStatus, type PaymentStatus, type Redirect } from '../../shared/api.ts';
import type { LineItem } from '../doku/schemas.ts';
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
     invoice_number    TEXT PRIMARY KEY,
     amount            INTEGER NOT NULL CHECK (amount > 0),
     status            TEXT NOT NULL CHECK (status IN ('PENDING','SUCCESS','FAILED','EXPIRED')),
     status_token_hash TEXT NOT NULL,
     request_id        TEXT NOT NULL UNIQUE,
     line_items        TEXT NOT NULL,
     return_url        TEXT NOT NULL,
     gateway_state     TEXT NOT NULL CHECK (gateway_state IN ('requested','accepted','rejected')),
     redirect          TEXT,
     needs_review      INTEGER NOT NULL DEFAULT 0,
     version           INTEGER NOT NULL DEFAULT 0,
     created_at        INTEGER NOT NULL,
     updated_at        INTEGER NOT NULL,
     expires_at        INTEGER NOT NULL,
     last_checked_at   INTEGER
   );
   CREATE INDEX orders_pending_due ON orders (created_at) WHERE status = 'PENDING';
   CREATE TABLE notification_inbox (
     request_id     TEXT PRIMARY KEY,
     invoice_number TEXT NOT NULL,
     headers        TEXT NOT NULL,
     raw_body       TEXT NOT NULL,
     received_at    INTEGER NOT NULL,
     outcome        TEXT NOT NULL DEFAULT 'received'
   );
   CREATE INDEX notification_inbox_invoice ON notification_inbox (invoice_number, received_at);
   CREATE TABLE order_events (
     id             INTEGER PRIMARY KEY AUTOINCREMENT,
     invoice_number TEXT NOT NULL REFERENCES orders (invoice_number),
     from_status    TEXT NOT NULL,
     to_status      TEXT NOT NULL,
     source         TEXT NOT NULL,
     version        INTEGER NOT NULL,
     at             INTEGER NOT NULL
   );
   CREATE INDEX order_events_invoice ON order_events (invoice_number, id);`,
  // The merchant-webhook outbox: a final change waits here until it is delivered (or given up on).
  `ALTER TABLE order_events ADD COLUMN webhook_attempts INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE order_events ADD COLUMN webhook_next_at INTEGER;
   ALTER TABLE order_events ADD COLUMN webhook_delivered_at INTEGER;
   CREATE INDEX order_events_webhook_due ON order_events (webhook_next_at) WHERE webhook_next_at IS NOT NULL;`,
];

interface OrderRow {
  invoice_number: string;
  amount: number;
  status: string;
  status_token_hash: string;
  request_id: string;
  line_items: string;
  return_url: string;
  gateway_state: string;
  redirect: string | null;
  needs_review: number;
  version: number;
  created_at: number;
  updated_at: number;
  expires_at: number;
  last_checked_at: number | null;
}

const toOrder = (r: OrderRow): Order => ({
  invoiceNumber: r.invoice_number,
  amount: r.amount,
  status: r.status as PaymentStatus,
  statusTokenHash: r.status_token_hash,
  requestId: r.request_id,
  lineItems: JSON.parse(r.line_items) as LineItem[],
  returnUrl: r.return_url,
  gatewayState: r.gateway_state as GatewayState,
  redirect: r.redirect === null ? null : (JSON.parse(r.redirect) as Redirect),
  needsReview: r.needs_review === 1,
  version: r.version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  expiresAt: new Date(r.expires_at),
  lastCheckedAt: r.last_checked_at === null ? null : new Date(r.last_checked_at),
});

export class SqliteStore implements Store {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
  }

  async migrate(): Promise<void> {
    const run = this.db.transaction(() => {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
      );
      const row = this.stmt('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
      for (let i = row.v; i < MIGRATIONS.length; i++) {
        this.db.exec(MIGRATIONS[i]);
        this.stmt('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, Date.now());
      }
    });
    run.immediate();
  }

  async insertOrder(o: NewOrder): Promise<void> {
    this.stmt(
      `INSERT INTO orders (invoice_number, amount, status, status_token_hash, request_id, line_items, return_url,
           gateway_state, redirect, needs_review, version, created_at, updated_at, expires_at, last_checked_at)
         VALUES (?, ?, 'PENDING', ?, ?, ?, ?, 'requested', NULL, 0, 0, ?, ?, ?, NULL)`,
    ).run(
      o.invoiceNumber,
      o.amount,
      o.statusTokenHash,
      o.requestId,
      JSON.stringify(o.lineItems),
      o.returnUrl,
      o.createdAt.getTime(),
      o.createdAt.getTime(),
      o.expiresAt.getTime(),
    );
  }

  async markAccepted(invoiceNumber: string, redirect: Redirect, now: Date): Promise<void> {
    // A late acceptance never overrides a refusal already recorded.
    this.stmt(
      `UPDATE orders SET gateway_state = 'accepted', redirect = ?, updated_at = ?
         WHERE invoice_number = ? AND gateway_state <> 'rejected'`,
    ).run(JSON.stringify(redirect), now.getTime(), invoiceNumber);
  }

  async markRejected(invoiceNumber: string, now: Date): Promise<Order | null> {
    const run = this.db.transaction((): Order | null => {
      const row = this.selectOrder(invoiceNumber);
      if (!row) return null;
      if (row.status === 'PENDING') {
        this.stmt(
          `UPDATE orders SET gateway_state = 'rejected', status = 'FAILED', version = version + 1, updated_at = ? WHERE invoice_number = ?`,
        ).run(now.getTime(), invoiceNumber);
        this.insertEvent(invoiceNumber, 'PENDING', 'FAILED', 'gateway', row.version + 1, now);
      } else {
        this.stmt(`UPDATE orders SET gateway_state = 'rejected' WHERE invoice_number = ?`).run(invoiceNumber);
      }
      return toOrder(this.selectOrder(invoiceNumber)!);
    });
    return run.immediate();
  }

  async getOrder(invoiceNumber: string): Promise<Order | null> {
    const row = this.selectOrder(invoiceNumber);
    return row ? toOrder(row) : null;
  }

  async applyReport(input: ApplyInput): Promise<ApplyOutcome> {
    const run = this.db.transaction((): ApplyOutcome => {
      const { inbox } = input;
      if (inbox) {
        const inserted = this.stmt(
          `INSERT INTO notification_inbox (request_id, invoice_number, headers, raw_body, received_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`,
        ).run(
          inbox.requestId,
          inbox.invoiceNumber,
          JSON.stringify(inbox.headers),
          inbox.rawBody,
          inbox.receivedAt.getTime(),
        );
        if (inserted.changes === 0) return { kind: 'duplicate' };
      }
      const setOutcome = (outcome: string) => {
        if (inbox)
          this.stmt('UPDATE notification_inbox SET outcome = ? WHERE request_id = ?').run(outcome, inbox.requestId);
      };
      const row = this.selectOrder(input.invoiceNumber);
      if (!row) {
        setOutcome('unknown_invoice');
        return { kind: 'unknown_invoice' };
      }
      const previous = row.status as PaymentStatus;
      const verdict = decide(previous, row.amount, input.report);
      const at = input.now.getTime();
      if (verdict.kind === 'transition') {
        this.stmt('UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE invoice_number = ?').run(
          verdict.to,
          at,
          input.invoiceNumber,
        );
        const webhookAt = input.queueWebhook && isFinalStatus(verdict.to) ? input.now : null;
        this.insertEvent(
          input.invoiceNumber,
          previous,
          verdict.to,
          input.source,
          row.version + 1,
          input.now,
          webhookAt,
        );
      } else if (verdict.kind === 'amount_mismatch') {
        this.stmt('UPDATE orders SET needs_review = 1, updated_at = ? WHERE invoice_number = ?').run(
          at,
          input.invoiceNumber,
        );
      }
      setOutcome(verdict.kind);
      return { kind: 'applied', verdict, previous, order: toOrder(this.selectOrder(input.invoiceNumber)!) };
    });
    return run.immediate();
  }

  async claimDueForCheck(opts: ClaimOptions): Promise<Order[]> {
    const now = opts.now.getTime();
    const run = this.db.transaction((): Order[] => {
      const rows = this.stmt(
        `UPDATE orders SET last_checked_at = @now
           WHERE invoice_number IN (
             SELECT invoice_number FROM orders
             WHERE status = 'PENDING' AND gateway_state <> 'rejected'
               AND created_at <= @createdBefore
               AND (last_checked_at IS NULL OR last_checked_at <= @checkedBefore)
             ORDER BY last_checked_at NULLS FIRST, created_at LIMIT @limit)
           RETURNING *`,
      ).all({
        now: now + (opts.leaseMs ?? 0),
        createdBefore: now - opts.minAgeMs,
        checkedBefore: now - opts.intervalMs,
        limit: opts.limit,
      }) as OrderRow[];
      return rows.map(toOrder).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    });
    return run.immediate();
  }

  async releaseCheck(invoiceNumber: string, at: Date, leaseUntil: Date): Promise<void> {
    this.stmt('UPDATE orders SET last_checked_at = ? WHERE invoice_number = ? AND last_checked_at = ?').run(
      at.getTime(),
      invoiceNumber,
      leaseUntil.getTime(),
    );
  }

  async claimWebhooks(opts: { now: Date; leaseMs: number; limit: number }): Promise<WebhookDue[]> {
    const now = opts.now.getTime();
    const run = this.db.transaction((): WebhookDue[] => {
      const rows = this.stmt(
        `UPDATE order_events SET webhook_attempts = webhook_attempts + 1, webhook_next_at = @leaseUntil
           WHERE id IN (
             SELECT id FROM order_events d WHERE webhook_next_at IS NOT NULL AND webhook_next_at <= @now
               AND NOT EXISTS (${EARLIER_UNDELIVERED})
             ORDER BY webhook_next_at, id LIMIT @limit)
           RETURNING id, invoice_number, to_status, version, at, webhook_attempts,
             (SELECT amount FROM orders o WHERE o.invoice_number = order_events.invoice_number) AS amount`,
      ).all({ now, leaseUntil: now + opts.leaseMs, limit: opts.limit }) as Array<{
        id: number;
        invoice_number: string;
        to_status: string;
        version: number;
        at: number;
        webhook_attempts: number;
        amount: number;
      }>;
      return rows
        .map((r) => ({
          eventId: r.id,
          invoiceNumber: r.invoice_number,
          amount: r.amount,
          status: r.to_status as PaymentStatus,
          version: r.version,
          at: new Date(r.at),
          attempts: r.webhook_attempts,
        }))
        .sort((a, b) => a.eventId - b.eventId);
    });
    return run.immediate();
  }

  async settleWebhook(due: Pick<WebhookDue, 'eventId' | 'attempts'>, settlement: WebhookSettlement): Promise<void> {
    if ('deliveredAt' in settlement) {
      this.stmt('UPDATE order_events SET webhook_delivered_at = ?, webhook_next_at = NULL WHERE id = ?').run(
        settlement.deliveredAt.getTime(),
        due.eventId,
      );
    } else {
      this.stmt(
        'UPDATE order_events SET webhook_next_at = ? WHERE id = ? AND webhook_attempts = ? AND webhook_delivered_at IS NULL',
      ).run(settlement.nextAt?.getTime() ?? null, due.eventId, due.attempts);
    }
  }

  async listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>> {
    const rows = this.stmt('SELECT * FROM notification_inbox WHERE invoice_number = ? ORDER BY received_at, rowid').all(
      invoiceNumber,
    ) as Array<{
      request_id: string;
      invoice_number: string;
      headers: string;
      raw_body: string;
      received_at: number;
      outcome: string;
    }>;
    return rows.map((r) => ({
      requestId: r.request_id,
      invoiceNumber: r.invoice_number,
      headers: JSON.parse(r.headers) as Record<string, string>,
      rawBody: r.raw_body,
      receivedAt: new Date(r.received_at),
      outcome: r.outcome,
    }));
  }

  /** Status changes of one order, oldest first (audit and tests). */
  async listEvents(invoiceNumber: string): Promise<OrderEvent[]> {
    const rows = this.stmt(
      'SELECT from_status, to_status, source, version, at FROM order_events WHERE invoice_number = ? ORDER BY id',
    ).all(invoiceNumber) as Array<{
      from_status: string;
      to_status: string;
      source: string;
      version: number;
      at: number;
    }>;
    return rows.map((r) => ({
      from: r.from_status as PaymentStatus,
      to: r.to_status as PaymentStatus,
      source: r.source as OrderEvent['source'],
      version: r.version,
      at: new Date(r.at),
    }));
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Prepared statements, compiled once per SQL text. */
  private readonly statements = new Map<string, Database.Statement>();
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private selectOrder(invoiceNumber: string): OrderRow | undefined {
    return this.stmt('SELECT * FROM orders WHERE invoice_number = ?').get(invoiceNumber) as OrderRow | undefined;
  }

  private insertEvent(
    invoiceNumber: string,
    from: PaymentStatus,
    to: PaymentStatus,
    source: ReportSource | 'gateway',
    version: number,
    at: Date,
    webhookAt: Date | null = null,
  ): void {
    this.stmt(
      'INSERT INTO order_events (invoice_number, from_status, to_status, source, version, at, webhook_next_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(invoiceNumber, from, to, source, version, at.getTime(), webhookAt?.getTime() ?? null);
  }
}
