// The bus that fits the store: in memory for SQLite (one process), LISTEN/NOTIFY for PostgreSQL.
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { MemoryBus, statusChangeOf, type EventBus } from './bus.ts';

/** With `store`, a PostgreSQL bus re-reads open streams' orders after its connection comes back. */
export async function openBus(databaseUrl: string, log: Logger, store?: Pick<Store, 'getOrder'>): Promise<EventBus> {
  if (/^postgres(ql)?:/.test(databaseUrl)) {
    const { PgBus } = await import('./pg-bus.ts');
    const resync =
      store &&
      (async (invoice: string) => {
        const order = await store.getOrder(invoice);
        return order && statusChangeOf(order);
      });
    return PgBus.open(databaseUrl, log, { resync });
  }
  return new MemoryBus();
}
