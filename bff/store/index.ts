// Open the store DATABASE_URL names and bring its schema up to date.
import { parseDatabaseUrl } from '../lib/database-url.ts';
import type { Logger } from '../log.ts';
import type { StatusChange } from '../orders/order.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';

export interface OpenStoreOptions {
  log?: Logger;
  /** PostgreSQL: the NOTIFY channel status changes are announced on, inside their transaction. */
  statusChannel?: string;
  /** SQLite: where status changes go once their transaction has committed (the in-memory bus). */
  announce?: (change: StatusChange) => void;
}

export async function openStore(databaseUrl: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const db = parseDatabaseUrl(databaseUrl);
  let store: Store;
  // Loaded only when used, so an SQLite deployment never touches pg.
  if (db.kind === 'postgres') {
    const { PostgresStore } = await import('./postgres.ts');
    store = new PostgresStore(db.url, { log: opts.log, statusChannel: opts.statusChannel });
  } else {
    const { SqliteStore } = await import('./sqlite.ts');
    store = new SqliteStore(db.path, { announce: opts.announce });
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  opts.log?.debug({ store: db.kind }, 'store ready');
  return store;
}
