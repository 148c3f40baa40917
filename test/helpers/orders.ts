// Orders put straight into a store, as if created `ageMs` ago, and the reports a store applies to them.
import type { ApplyInput } from '../../bff/orders/plan.ts';
import type { Store } from '../../bff/store/types.ts';

export interface AgedOrder {
  /** Rp; default 32.000. */
  amount?: number;
  /** How long after creation it expires; default the 15 minutes of ORDER_EXPIRY_MINUTES. */
  expiresAfterMs?: number;
  /** The clock it was created by; default the system's. */
  now?: number;
  /** The merchant's order id; default none. */
  reference?: string | null;
}

export async function insertAgedOrder(store: Store, invoice: string, ageMs: number, o: AgedOrder = {}): Promise<void> {
  const amount = o.amount ?? 32_000;
  const createdAt = new Date((o.now ?? Date.now()) - ageMs);
  await store.insertOrder({
    invoiceNumber: invoice,
    amount,
    statusTokenHash: '0'.repeat(64),
    requestId: `r-${invoice}`,
    lineItems: [{ name: 'Sate Ayam', price: amount, quantity: 1 }],
    returnUrl: 'http://127.0.0.1/',
    createdAt,
    expiresAt: new Date(createdAt.getTime() + (o.expiresAfterMs ?? 15 * 60_000)),
    reference: o.reference ?? null,
  });
}

/** DOKU's notification that `invoice` was paid `amount`, as the store is given it (`rawBody`: what it keeps). */
export function paidNotificationReport(
  invoice: string,
  requestId: string,
  { amount, at, rawBody = '{}' }: { amount: number; at: Date; rawBody?: string },
): ApplyInput {
  return {
    invoiceNumber: invoice,
    report: { status: 'SUCCESS', amount },
    source: 'notification',
    inbox: { requestId, invoiceNumber: invoice, headers: { 'request-id': requestId }, rawBody, receivedAt: at },
    now: at,
  };
}
