// One PostgreSQL transaction on one pooled connection, for the store and its payments module alike.
import type pg from 'pg';

/** Run fn in one transaction on one pooled connection; a broken connection is discarded, not reused. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose server goes away emits 'error' besides failing its query; the pool
  // listens only to idle clients, so without this the process would crash mid-transaction.
  const onError = (err: Error) => {
    broken = err;
  };
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    await c.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}
