// SQL that reads the same in SQLite and PostgreSQL, written once for both stores.

/**
 * For the webhook claim (its candidate row is `d`): a change waits while an earlier one of the same
 * order is still owed (queued or in flight), so a merchant never gets payment.expired after the
 * payment.succeeded that followed it.
 */
export const EARLIER_UNDELIVERED =
  'SELECT 1 FROM order_events e2 WHERE e2.invoice_number = d.invoice_number AND e2.id < d.id AND e2.webhook_next_at IS NOT NULL';
