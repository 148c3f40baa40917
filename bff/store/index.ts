// Open the store DATABASE_URL names and bring its schema up to date.
//   sqlite:PATH          embedded, one process (the directory is created)
//   postgres://...       shared by several BFF instances
import type { Logger } from '../log.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';

export async function openStore(databaseUrl: string, log?: Logger): Promise<Store> {
  let store: Store;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Loaded only when used, so an SQLite deployment never touches pg.
    const { PostgresStore } = await import('./postgres.ts');
    store = new PostgresStore(databaseUrl, { log });
  } else if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path) throw new Error('DATABASE_URL sqlite: needs a file path (sqlite:./data/linkaja.db)');
    const { SqliteStore } = await import('./sqlite.ts');
    store = new SqliteStore(path);
  } else {
    // Never echo the URL: it may hold a password.
    throw new Error('DATABASE_URL must be sqlite:PATH or postgres://...');
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  log?.debug({ store: databaseUrl.split(':')[0] }, 'store ready');
  return store;
}
