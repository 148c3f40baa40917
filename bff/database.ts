// Open what DATABASE_URL names: the order store, and the bus on which this process hears the status
// changes committed there. SQLite (one process): the store announces to an in-memory bus right after
// each commit. PostgreSQL (several instances): the store announces with pg_notify inside each
// committing transaction, and the bus LISTENs on the same channel, re-reading open streams' orders
// after a reconnect.
import { MemoryBus, type EventBus } from './events/bus.ts';
import type { PgBusOptions } from './events/pg-bus.ts';
import { STATUS_CHANNEL } from './events/status-channel.ts';
import { parseDatabaseUrl } from './lib/database-url.ts';
import type { Logger } from './log.ts';
import { statusChangeOf } from './orders/order.ts';
import { openStore } from './store/index.ts';
import type { Store } from './store/types.ts';

export interface Database {
  store: Store;
  bus: EventBus;
  /** The bus, then the store. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  log: Logger;
  /** PostgreSQL NOTIFY channel (tests and benchmarks isolate themselves with their own). */
  statusChannel?: string;
  /** PostgreSQL listener timing (reconnect back-off, ping). */
  listener?: Omit<PgBusOptions, 'channel' | 'resync'>;
}

export async function openDatabase(databaseUrl: string, opts: OpenDatabaseOptions): Promise<Database> {
  const { log } = opts;
  const database = (store: Store, bus: EventBus): Database => ({
    store,
    bus,
    async close() {
      await bus.close();
      await store.close();
    },
  });
  if (parseDatabaseUrl(databaseUrl).kind === 'sqlite') {
    const bus = new MemoryBus(log);
    return database(await openStore(databaseUrl, { log, announce: (change) => bus.deliver(change) }), bus);
  }
  const channel = opts.statusChannel ?? STATUS_CHANNEL;
  const store = await openStore(databaseUrl, { log, statusChannel: channel });
  try {
    const { PgBus } = await import('./events/pg-bus.ts');
    const bus = await PgBus.open(databaseUrl, log, {
      ...opts.listener,
      channel,
      resync: async (invoice) => {
        const order = await store.getOrder(invoice);
        return order && statusChangeOf(order);
      },
    });
    return database(store, bus);
  } catch (err) {
    await store.close();
    throw err;
  }
}
