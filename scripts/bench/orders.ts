// The orders the bench works on, seeded straight into the server's store (through the store's own
// API) before the server starts, each with a status token the bench knows.
import { randomBytes, randomUUID } from 'node:crypto';
import { hashReadToken } from '../../bff/orders/read-tokens.ts';
import { openStore } from '../../bff/store/index.ts';

export const PRICE = 15_000;

export interface SeededOrder {
  invoice: string;
  token: string;
  /** The customer's address, sent as X-Forwarded-For: one customer, one address. */
  address: string;
}

let addresses = 0;
/**
 * A new client address in 198.18.0.0/15 (set aside for benchmarks: never a real host), as an
 * X-Forwarded-For value only: no packet goes there.
 */
export function nextAddress(): string {
  const i = addresses++ % 131_072;
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

export function makeOrders(prefix: string, count: number): SeededOrder[] {
  return Array.from({ length: count }, (_, i) => ({
    invoice: `BENCH-${prefix}-${String(i).padStart(6, '0')}`,
    token: randomBytes(32).toString('base64url'),
    address: nextAddress(),
  }));
}

/** Insert PENDING orders (a few in flight, for PostgreSQL's round trips); the store is closed after. */
export async function seedOrders(databaseUrl: string, orders: SeededOrder[]): Promise<void> {
  const store = await openStore(databaseUrl);
  const now = new Date();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < orders.length) {
          const o = orders[next++];
          await store.insertOrder({
            invoiceNumber: o.invoice,
            amount: PRICE,
            statusTokenHash: hashReadToken(o.token),
            requestId: randomUUID(),
            lineItems: [{ name: 'Es Kopi Susu', price: PRICE, quantity: 1 }],
            returnUrl: 'http://127.0.0.1/',
            createdAt: now,
            expiresAt: new Date(now.getTime() + 3_600_000),
          });
        }
      }),
    );
  } finally {
    await store.close();
  }
}
