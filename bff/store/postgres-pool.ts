// The PostgreSQL store's connection pool, with the timeouts requests run under, and one transaction
// on one of its connections (for the store and its payments module alike).
import pg from 'pg';
import type { Logger } from '../log.ts';

export interface PoolOptions {
  log?: Logger;
  /** Pool size per instance. */
  max?: number;
  /** How long to wait for a connection before failing (readiness must not hang). */
  connectionTimeoutMs?: number;
  /** A query with no answer by then fails and its connection is dropped (a silently dead one). */
  queryTimeoutMs?: number;
}

export function openPool(connectionString: string, opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // Connections that die without a reset (NAT, failover) are found in seconds, not hours, and a
    // stuck transaction cannot hold an order's row lock for long.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    query_timeout: opts.queryTimeoutMs ?? 15_000,
    statement_timeout: 10_000,
    lock_timeout: 5_000,
    idle_in_transaction_session_timeout: 10_000,
    // A query is written at once, not after the answer to the one before: a transaction can send BEGIN
    // with its first statement and COMMIT with its last (`together`). Awaited one by one, queries run
    // as on any connection.
    pipeline: true,
  });
  // An idle client whose server went away emits here; without a listener the process would crash.
  pool.on('error', (err) => opts.log?.warn({ reason: err.message }, 'postgres idle client error'));
  return pool;
}

/** Run fn in one transaction on one pooled connection; a broken connection is discarded, not reused. */
export function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return onConnection(pool, async (c) => {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  });
}

/**
 * Run fn, which begins and commits a transaction itself, on one pooled connection: a failure rolls
 * it back, and a broken connection is discarded, not reused.
 */
export async function onConnection<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose server goes away emits 'error' besides failing its query; the pool
  // listens only to idle clients, so without this the process would crash mid-transaction.
  const onError = (err: Error) => {
    broken = err;
  };
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (err) {
    await c.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/**
 * Queries sent back to back, in one write and without waiting for each other's answers (the pool's
 * connections are pipelined); `send` must call `c.query` synchronously for each.
 */
export function together<T extends Promise<unknown>[]>(c: pg.PoolClient, send: () => T): Promise<unknown[]> {
  c.connection.stream.cork();
  try {
    // Promise.all: a failure of any is the caller's, and none is left unhandled.
    return Promise.all(send());
  } finally {
    c.connection.stream.uncork();
  }
}
