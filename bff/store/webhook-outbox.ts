// The webhook outbox as operators use it (list, resend, counts), written once for both dialects over
// a function that runs one statement with PostgreSQL's placeholders (SQLite's store rewrites them).
// The forwarder's claim and settle stay in each store: they are its own, per-dialect locking.
import type { RunSql } from './figures.ts';
import { toDeliveryRecord, type Codec } from './rows.ts';
import type { DeliveryQuery, WebhookOutbox } from './types.ts';

/** A row that was ever queued for the merchant's backend (changes that were not stay out of the list). */
const EVER_QUEUED = '(webhook_next_at IS NOT NULL OR webhook_delivered_at IS NOT NULL OR webhook_attempts > 0)';
const FAILED = 'webhook_next_at IS NULL AND webhook_delivered_at IS NULL AND webhook_attempts > 0';
const STATE: Record<NonNullable<DeliveryQuery['state']>, string> = {
  pending: 'webhook_next_at IS NOT NULL',
  delivered: 'webhook_delivered_at IS NOT NULL',
  failed: FAILED,
};
const COLUMNS =
  'id, invoice_number, to_status, version, at, webhook_attempts, webhook_next_at, webhook_delivered_at, webhook_last_error';

export function sqlWebhookOutbox(run: RunSql, c: Codec): WebhookOutbox {
  return {
    async list(q) {
      const values: unknown[] = [];
      const param = (v: unknown) => `$${values.push(v)}`;
      const where = [q.state ? STATE[q.state] : EVER_QUEUED];
      if (q.invoiceNumber !== undefined) where.push(`invoice_number = ${param(q.invoiceNumber)}`);
      if (q.beforeId !== undefined) where.push(`id < ${param(q.beforeId)}`);
      const sql = `SELECT ${COLUMNS} FROM order_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${param(q.limit)}`;
      return (await run(sql, values)).map((r) => toDeliveryRecord(r, c));
    },
    async resend(id, now) {
      const [row] = await run(
        `UPDATE order_events SET webhook_next_at = $1, webhook_attempts = 0, webhook_delivered_at = NULL,
           webhook_last_error = NULL WHERE id = $2 AND ${EVER_QUEUED} RETURNING ${COLUMNS}`,
        [c.writeDate(now), id],
      );
      return row ? toDeliveryRecord(row, c) : null;
    },
    async counts() {
      // Two index-backed counts (order_events_webhook_due, order_events_webhook_failed).
      const [row] = await run(
        `SELECT (SELECT COUNT(*) FROM order_events WHERE webhook_next_at IS NOT NULL) AS pending,
           (SELECT COUNT(*) FROM order_events WHERE ${FAILED}) AS failed`,
        [],
      );
      return { pending: Number(row.pending), failed: Number(row.failed) };
    },
  };
}
