// SQL that reads the same in SQLite and PostgreSQL, written once for both stores.
import type { CheckQueue } from './types.ts';

/**
 * For the webhook claim (its candidate row is `d`): a change waits while an earlier one of the same
 * order is still owed (queued or in flight), so a merchant never gets payment.expired after the
 * payment.succeeded that followed it.
 */
export const EARLIER_UNDELIVERED =
  'SELECT 1 FROM order_events e2 WHERE e2.invoice_number = d.invoice_number AND e2.id < d.id AND e2.webhook_next_at IS NOT NULL';

/**
 * Which orders a reconciliation queue (store/types.ts CheckQueue) takes, earliest first. `dueBy` and
 * `createdBefore` are the dialect's placeholders. Both queues are served by partial indexes
 * (migrations 004): orders_expiry_due and orders_check_due.
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
