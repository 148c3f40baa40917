// PostgreSQL for the bench: TEST_DATABASE_URL or the local default when it answers, and a fresh
// schema there that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchSchema {
  /** Connection string whose every connection lands in the fresh schema. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh schema, or why there is none (PostgreSQL did not answer). */
export async function freshPgSchema(): Promise<BenchSchema | { skip: string }> {
  const base = process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  admin.on('error', () => undefined);
  const schema = `bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    await admin.end().catch(() => undefined);
    // Never print the URL itself: it may carry a password.
    return { skip: `PostgreSQL did not answer (${(err as Error).message})` };
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}
