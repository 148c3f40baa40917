// SQL that reads the same in SQLite and PostgreSQL, written once for both stores.
import type { Codec } from './rows.ts';
import type { CheckQueue, OrderQuery } from './types.ts';

/**
 * For the webhook claim (its candidate row is `d`): a change waits while an earlier one of the same
 * order is still owed (queued or in flight), so a merchant never gets payment.expired after the
 * payment.succeeded that followed it.
 */
export const EARLIER_UNDELIVERED =
  'SELECT 1 FROM order_events e2 WHERE e2.invoice_number = d.invoice_number AND e2.id < d.id AND e2.webhook_next_at IS NOT NULL';

/**
 * SQLite's copy of a statement written with PostgreSQL's numbered placeholders: `?` each. Only for
 * statements that use each of $1, $2… once, in that order (checked, so a misuse fails at once).
 */
export function positional(sql: string): string {
  const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  if (numbers.some((n, i) => n !== i + 1)) throw new Error(`placeholders out of order in: ${sql}`);
  return sql.replace(/\$\d+/g, '?');
}

/** The statements of payments found again (store/*-payments.ts), written once for both dialects. */
export const PAYMENT_SQL = {
  insertToken: `INSERT INTO payment_tokens (token_hash, invoice_number, kind, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5)`,
  orderWithTokens: `SELECT o.*, t.token_hash, t.kind AS token_kind, t.expires_at AS token_expires_at
    FROM orders o LEFT JOIN payment_tokens t ON t.invoice_number = o.invoice_number
    WHERE o.invoice_number = $1`,
  /** The same for a status poll: only the columns of its answer (no JSON columns to decode). */
  statusWithTokens: `SELECT o.invoice_number, o.amount, o.status, o.updated_at, o.reference,
      t.token_hash, t.kind AS token_kind, t.expires_at AS token_expires_at
    FROM orders o LEFT JOIN payment_tokens t ON t.invoice_number = o.invoice_number
    WHERE o.invoice_number = $1`,
  /** The payment an unexpired key finds. */
  keyLookup: `SELECT invoice_number, request_hash FROM payment_keys
    WHERE kind = $1 AND scope = $2 AND name = $3 AND expires_at > $4`,
  /** Point a key at a payment; a key of an expired payment (it is forgotten then) is replaced. */
  keyUpsert: `INSERT INTO payment_keys (kind, scope, name, invoice_number, request_hash, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (kind, scope, name) DO UPDATE SET invoice_number = excluded.invoice_number,
      request_hash = excluded.request_hash, expires_at = excluded.expires_at`,
  keysRelease: 'DELETE FROM payment_keys WHERE invoice_number = $1',
  /** A paid order of a reference other than the one named (the first paid). */
  paidOfReference: `SELECT invoice_number FROM orders
    WHERE reference = $1 AND status = 'SUCCESS' AND invoice_number <> $2 ORDER BY updated_at, invoice_number LIMIT 1`,
} as const;

/** `listOrders` as one statement (PostgreSQL placeholders, each once, in order: `positional` works). */
export function listOrdersSql(q: OrderQuery, c: Codec): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  /** The next placeholder, bound to `v`. */
  const param = (v: unknown) => `$${values.push(v)}`;
  if (q.reference !== undefined) where.push(`reference = ${param(q.reference)}`);
  if (q.status !== undefined) where.push(`status = ${param(q.status)}`);
  if (q.createdFrom !== undefined) where.push(`created_at >= ${param(c.writeDate(q.createdFrom))}`);
  if (q.createdBefore !== undefined) where.push(`created_at < ${param(c.writeDate(q.createdBefore))}`);
  if (q.after !== undefined) {
    const at = c.writeDate(q.after.createdAt);
    where.push(
      `(created_at < ${param(at)} OR (created_at = ${param(at)} AND invoice_number < ${param(q.after.invoiceNumber)}))`,
    );
  }
  const sql = `SELECT * FROM orders${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, invoice_number DESC LIMIT ${param(q.limit)}`;
  return { sql, values };
}

/**
 * Which orders a reconciliation queue (store/types.ts CheckQueue) takes, earliest first. `dueBy` and
 * `createdBefore` are the dialect's placeholders. Both queues are served by partial indexes
 * (migration 005): orders_expiry_due and orders_check_due.
 */
export function checkQueueSql(queue: CheckQueue, dueBy: string, createdBefore: string): string {
  const old = `created_at <= ${createdBefore}`;
  return queue === 'expiry'
    ? `status = 'PENDING' AND expires_at <= ${dueBy} AND next_check_at <= ${dueBy} AND ${old} ORDER BY expires_at`
    : `next_check_at <= ${dueBy} AND ${old} ORDER BY next_check_at`;
}

/** Late payments: orders that became SUCCESS after they were FAILED or EXPIRED (index order_events_late_success). */
export const COUNT_LATE_PAYMENTS =
  "SELECT COUNT(*) AS n FROM order_events WHERE to_status = 'SUCCESS' AND from_status IN ('FAILED', 'EXPIRED')";

/** A notification's inbox row; a Request-Id already there inserts nothing (values: rows.ts inboxValues). */
export const INBOX_INSERT = `INSERT INTO notification_inbox (request_id, invoice_number, headers, raw_body, received_at)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING`;
