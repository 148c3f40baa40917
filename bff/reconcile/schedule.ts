// When reconciliation next asks DOKU about an order, decided at the end of each check. Pure: the
// reconciler stores the answer as the order's nextCheckAt, and the store's claim takes due orders
// earliest first.
import type { Order } from '../orders/order.ts';

/**
 * How long after its creation a FAILED or EXPIRED order is still asked about. LinkAja may take a
 * payment after our expiry (how long it stays payable is unconfirmed) and a notification can be lost.
 */
export const LATE_CHECKS_FOR_MS = 48 * 3_600_000;

/** The longest wait between two late checks. */
export const MAX_LATE_CHECK_GAP_MS = 3_600_000;

export type Scheduled = Pick<Order, 'status' | 'gatewayState' | 'createdAt' | 'updatedAt' | 'expiresAt'>;

/**
 * When an order is next due, as it stands at `now`; null: never again.
 * - PENDING: an interval from now, but no later than its expiry, so the check that may expire it is on time.
 * - FAILED or EXPIRED (late checks): at 1, 2, 4, 8 … intervals after it became final (its updatedAt),
 *   the gap doubling up to an hour, until 48 h after creation. Not when DOKU refused to create the
 *   payment: nothing exists there that a customer could pay.
 * - SUCCESS: never (nothing can move a paid order).
 */
export function nextCheckAt(order: Scheduled, now: Date, intervalMs: number): Date | null {
  const t = now.getTime();
  if (order.status === 'SUCCESS') return null;
  if (order.status === 'PENDING') {
    const expiry = order.expiresAt.getTime();
    return new Date(expiry > t ? Math.min(t + intervalMs, expiry) : t + intervalMs);
  }
  if (order.gatewayState === 'rejected') return null;
  // Waiting as long again as the order has been final doubles its age at each check.
  const gap = Math.min(Math.max(t - order.updatedAt.getTime(), intervalMs), MAX_LATE_CHECK_GAP_MS);
  const next = t + gap;
  return next <= order.createdAt.getTime() + LATE_CHECKS_FOR_MS ? new Date(next) : null;
}
