// Figures a metrics scrape reads from the store, written once for both dialects over a function that
// runs one statement with PostgreSQL's placeholders (SQLite's store rewrites them).
import type { Codec, Row } from './rows.ts';

/** Runs one statement (PostgreSQL placeholders, each once, in order) and returns its rows. */
export type RunSql = (sql: string, values: unknown[]) => Promise<Row[]>;

/** Which orders reconciliation takes for a Check Status (as its claim does). */
export interface DueCheckQuery {
  now: Date;
  minAgeMs: number;
}

/**
 * When the order that has waited longest for its Check Status became due (null: none is due): when its
 * next check was due, but not before DOKU's minimum age after its creation. A claimed order's
 * next_check_at holds its lease (in the future), so it is not waiting.
 */
export async function oldestDueCheck(run: RunSql, c: Codec, q: DueCheckQuery): Promise<Date | null> {
  const [row] = await run(
    `SELECT next_check_at, created_at FROM orders
     WHERE next_check_at <= $1 AND created_at <= $2 ORDER BY next_check_at LIMIT 1`,
    [c.writeDate(q.now), c.writeDate(new Date(q.now.getTime() - q.minAgeMs))],
  );
  if (!row) return null;
  return new Date(Math.max(c.date(row.next_check_at).getTime(), c.date(row.created_at).getTime() + q.minAgeMs));
}
