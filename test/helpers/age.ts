// Moves a stored payment back in time, as if it had been made `ms` earlier: its creation, expiry,
// next check, keys and read tokens. The BFF under test runs on the real clock; time passes in its database.
import { PostgresStore } from '../../bff/store/postgres.ts';
import { SqliteStore } from '../../bff/store/sqlite.ts';
import type { Store } from '../../bff/store/types.ts';

const STATEMENTS = [
  'UPDATE orders SET created_at = created_at - $1, updated_at = updated_at - $1, expires_at = expires_at - $1, next_check_at = next_check_at - $1 WHERE invoice_number = $2',
  'UPDATE payment_keys SET expires_at = expires_at - $1 WHERE invoice_number = $2',
  'UPDATE payment_tokens SET created_at = created_at - $1, expires_at = expires_at - $1 WHERE invoice_number = $2',
];

export async function agePayment(store: Store, invoiceNumber: string, ms: number): Promise<void> {
  if (store instanceof SqliteStore) {
    // Dates are epoch milliseconds here.
    for (const sql of STATEMENTS)
      store.db.prepare(sql.replaceAll('$1', '@ms').replace('$2', '@invoice')).run({ ms, invoice: invoiceNumber });
  } else if (store instanceof PostgresStore) {
    for (const sql of STATEMENTS)
      await store.pool.query(sql.replaceAll('$1', "($1 * interval '1 millisecond')"), [ms, invoiceNumber]);
  } else {
    throw new Error('agePayment: an SQLite or PostgreSQL store');
  }
}
