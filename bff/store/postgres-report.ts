// A report's transaction on PostgreSQL in few round trips: one statement records the inbox row and
// locks the order, one writes everything the plan says (and queues its pg_notify), so a notification
// is BEGIN, two statements, COMMIT. Each is a named prepared statement, parsed once per connection.
// Locks are taken as before, in the same order: the inbox row, then (for a move to SUCCESS of an
// order with a reference) the reference's advisory lock, then the order's row lock.
import type pg from 'pg';
import type { Order, StatusChange } from '../orders/order.ts';
import type { ApplyInput, Plan } from '../orders/plan.ts';
import * as stored from './rows.ts';
import { INBOX_INSERT } from './shared-sql.ts';

const C = stored.POSTGRES_CODEC;

/**
 * The order locked FOR UPDATE, unless it has a reference and the report is SUCCESS (that one waits for
 * its reference's lock first: `reference IS NULL OR NOT success`). `ins` (the inbox insert) runs
 * first; `known` says whether the order exists at all.
 */
const lockSql = (invoice: string, success: string, inserted: string) =>
  `locked AS MATERIALIZED (SELECT * FROM orders WHERE invoice_number = ${invoice}
      AND (reference IS NULL OR NOT ${success}::boolean) AND ${inserted} >= 0 FOR UPDATE)
  SELECT ${inserted} AS inserted, EXISTS (SELECT 1 FROM orders WHERE invoice_number = ${invoice}) AS known, locked.*
    FROM (SELECT 1) AS one LEFT JOIN locked ON true`;

const LOCK_WITH_INBOX = {
  name: 'linkaja-report-inbox-lock',
  text: `WITH ins AS (${INBOX_INSERT} RETURNING 1),
  ${lockSql('$6', '$7', '(SELECT count(*) FROM ins)::int')}`,
};
const LOCK = { name: 'linkaja-report-lock', text: `WITH ${lockSql('$1', '$2', '1')}` };

export interface Locked {
  /** The notification's Request-Id was already in the inbox. */
  inboxSeen: boolean;
  /** The order, locked; null when there is none or it still needs its reference's lock (`known`). */
  order: Order | null;
  known: boolean;
}

/** First statement of a report: record the inbox row (if any) and lock the order where it may be. */
export async function recordAndLock(c: pg.PoolClient, input: ApplyInput): Promise<Locked> {
  const success = input.report.status === 'SUCCESS';
  const query = input.inbox
    ? { ...LOCK_WITH_INBOX, values: [...stored.inboxValues(input.inbox, C), input.invoiceNumber, success] }
    : { ...LOCK, values: [input.invoiceNumber, success] };
  const [row] = (await c.query<stored.Row>(query)).rows;
  return {
    inboxSeen: row.inserted === 0,
    order: row.invoice_number === null ? null : stored.toOrder(row, C),
    known: row.known === true,
  };
}

/** The one statement for what a plan writes, by which parts it has (at most 16 texts). */
const writes = new Map<string, { name: string; text: string }>();

function writeSql(parts: { order: boolean; event: boolean; inbox: boolean; announce: boolean }) {
  const key = `${+parts.order}${+parts.event}${+parts.inbox}${+parts.announce}`;
  const known = writes.get(key);
  if (known !== undefined) return known;
  let n = 0;
  const p = (count: number) => Array.from({ length: count }, () => `$${++n}`);
  const ctes: string[] = [];
  if (parts.order) {
    const [inv, status, gw, review, dup, version, updated, next] = p(8);
    ctes.push(`o AS (UPDATE orders SET status = ${status}, gateway_state = ${gw}, needs_review = ${review},
      duplicate_of = ${dup}, version = ${version}, updated_at = ${updated}, next_check_at = ${next}
      WHERE invoice_number = ${inv} RETURNING 1)`);
  }
  if (parts.event) {
    ctes.push(`e AS (INSERT INTO order_events (invoice_number, from_status, to_status, source, version, at,
      webhook_next_at) VALUES (${p(7).join(', ')}) RETURNING 1)`);
  }
  if (parts.inbox) {
    const [outcome, requestId] = p(2);
    ctes.push(`i AS (UPDATE notification_inbox SET outcome = ${outcome} WHERE request_id = ${requestId} RETURNING 1)`);
  }
  // Held by PostgreSQL until COMMIT, dropped on ROLLBACK.
  const select = parts.announce ? `SELECT pg_notify(${p(2).join(', ')})` : 'SELECT 1';
  const statement = {
    name: `linkaja-report-write-${key}`,
    text: (ctes.length ? `WITH ${ctes.join(',\n')}\n` : '') + select,
  };
  writes.set(key, statement);
  return statement;
}

/** Second statement: write what the plan says, inside the caller's transaction; nothing when it says nothing. */
export async function writePlan<Outcome>(
  c: pg.PoolClient,
  { order, event, inbox, announce }: Plan<Outcome>,
  notification: (change: StatusChange) => [channel: string, payload: string],
): Promise<void> {
  if (!order && !event && !inbox && !announce) return;
  const values: unknown[] = [];
  if (order) {
    values.push(order.invoiceNumber, order.status, order.gatewayState, order.needsReview, order.duplicateOf);
    values.push(order.version, order.updatedAt, order.nextCheckAt);
  }
  if (event) {
    values.push(event.invoiceNumber, event.from, event.to, event.source, event.version, event.at, event.webhookAt);
  }
  if (inbox) values.push(inbox.outcome, inbox.requestId);
  if (announce) values.push(...notification(announce));
  await c.query({ ...writeSql({ order: !!order, event: !!event, inbox: !!inbox, announce: !!announce }), values });
}
