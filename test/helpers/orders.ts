// Orders put straight into a store, as if created `ageMs` ago, for the reconciliation tests.
import type { Store } from '../../bff/store/types.ts';

export interface AgedOrder {
  /** Rp; default 32.000. */
  amount?: number;
  /** How long after creation it expires; default the 15 minutes of ORDER_EXPIRY_MINUTES. */
  expiresAfterMs?: number;
  /** The clock it was created by; default the system's. */
  now?: number;
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
  });
}
