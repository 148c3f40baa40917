// Figures a metrics scrape reads from the store, written once for both dialects over a function that
// runs one statement with PostgreSQL's placeholders (SQLite's store rewrites them).
import type { Codec, Row } from './rows.ts';

/** Runs one statement (PostgreSQL placeholders, each once, in order) and returns its rows. */
export type RunSql = (sql: string, values: unknown[]) => Promise<Row[]>;

/** Which orders reconciliation takes for a Check Status (as its claim does). */
export interface DueCheckQuery {
  now: Date;
  minAgeMs: number;
  intervalMs: number;
}

/**
 * When the order that has waited longest for its Check Status became due (null: none is due): an
 * order never checked is due minAgeMs after its creation, a checked one intervalMs after its check.
 */
export async function oldestDueCheck(run: RunSql, c: Codec, q: DueCheckQuery): Promise<Date | null> {
  const [row] = await run(
    `SELECT MIN(CASE WHEN last_checked_at IS NULL THEN created_at END) AS never_checked,
       MIN(last_checked_at) AS checked
     FROM orders WHERE status = 'PENDING' AND gateway_state <> 'rejected'
       AND created_at <= $1 AND (last_checked_at IS NULL OR last_checked_at <= $2)`,
    [c.writeDate(new Date(q.now.getTime() - q.minAgeMs)), c.writeDate(new Date(q.now.getTime() - q.intervalMs))],
  );
  const due = [
    row.never_checked === null ? null : c.date(row.never_checked).getTime() + q.minAgeMs,
    row.checked === null ? null : c.date(row.checked).getTime() + q.intervalMs,
  ].filter((t): t is number => t !== null);
  return due.length ? new Date(Math.min(...due)) : null;
}
