// SQLite's side of payments found again (orders/payment-keys.ts), read tokens and order lists, on
// SqliteStore's handle and statement cache; the SQL is written once for both dialects (shared-sql.ts).
// Every write runs under BEGIN IMMEDIATE: one writer at a time, so the keys need no lock of their own.
import type Database from 'better-sqlite3';
import type { NewOrder, Order } from '../orders/order.ts';
import {
  paymentKeysOf,
  planFindOrCreate,
  type FindOrCreateInput,
  type FindOrCreateOutcome,
  type FoundPayments,
} from '../orders/payment-keys.ts';
import { pendingOrder } from '../orders/order.ts';
import type { ReadToken } from '../orders/read-tokens.ts';
import * as stored from './rows.ts';
import { listOrdersSql, PAYMENT_SQL, positional } from './shared-sql.ts';
import type { OrderQuery, OrderStatusView, WithTokens } from './types.ts';

const C = stored.SQLITE_CODEC;
const SQL = Object.fromEntries(Object.entries(PAYMENT_SQL).map(([name, sql]) => [name, positional(sql)])) as Record<
  keyof typeof PAYMENT_SQL,
  string
>;
const INSERT_ORDER = `INSERT INTO orders (${stored.ORDER_COLUMNS.join(', ')}) VALUES (${stored.ORDER_COLUMNS.map(() => '?').join(', ')})`;

/** What these queries need of the store: its database, its prepared statements, its order reads. */
export interface SqliteAccess {
  readonly db: Database.Database;
  stmt(sql: string): Database.Statement;
  readOrder(invoiceNumber: string): Order | null;
}

export class SqlitePayments {
  constructor(private readonly s: SqliteAccess) {}

  insertOrder(o: NewOrder): void {
    this.s.db.transaction(() => this.insert(o)).immediate();
  }

  findOrCreate(input: FindOrCreateInput): FindOrCreateOutcome {
    const run = this.s.db.transaction((): FindOrCreateOutcome => {
      const plan = planFindOrCreate(this.found(input), input);
      if (plan.insert) this.insert(plan.insert);
      for (const k of plan.keys) {
        this.s
          .stmt(SQL.keyUpsert)
          .run(k.kind, k.scope, k.name, k.invoiceNumber, k.requestHash, C.writeDate(k.expiresAt));
      }
      return plan.outcome;
    });
    return run.immediate();
  }

  releaseKeys(invoiceNumber: string): void {
    this.s.stmt(SQL.keysRelease).run(invoiceNumber);
  }

  addToken(invoiceNumber: string, t: ReadToken, now: Date): void {
    this.s
      .stmt(SQL.insertToken)
      .run(t.hash, invoiceNumber, t.kind, C.writeDate(now), t.expiresAt === null ? null : C.writeDate(t.expiresAt));
  }

  withTokens(invoiceNumber: string): WithTokens<Order> | null {
    return stored.toWithTokens(this.s.stmt(SQL.orderWithTokens).all(invoiceNumber) as stored.Row[], C, stored.toOrder);
  }

  statusWithTokens(invoiceNumber: string): WithTokens<OrderStatusView> | null {
    const rows = this.s.stmt(SQL.statusWithTokens).all(invoiceNumber) as stored.Row[];
    return stored.toWithTokens(rows, C, stored.toOrderStatusView);
  }

  list(q: OrderQuery): Order[] {
    const { sql, values } = listOrdersSql(q, C);
    return (this.s.stmt(positional(sql)).all(values) as stored.Row[]).map((r) => stored.toOrder(r, C));
  }

  /** The first paid order of `reference` other than `except` (inside the caller's transaction). */
  paidSibling(reference: string, except: string): string | null {
    const row = this.s.stmt(SQL.paidOfReference).get(reference, except) as stored.Row | undefined;
    return row ? (row.invoice_number as string) : null;
  }

  /** The order row and its read tokens (inside the caller's transaction). */
  private insert(o: NewOrder): void {
    this.s.stmt(INSERT_ORDER).run(stored.orderValues(pendingOrder(o), C));
    this.addToken(o.invoiceNumber, { hash: o.statusTokenHash, kind: 'status', expiresAt: null }, o.createdAt);
    if (o.returnTicket) {
      const { hash, expiresAt } = o.returnTicket;
      this.addToken(o.invoiceNumber, { hash, kind: 'return', expiresAt }, o.createdAt);
    }
  }

  private found(input: FindOrCreateInput): FoundPayments {
    const found: FoundPayments = { byKey: null, byReference: null, paidInvoice: null };
    for (const key of paymentKeysOf(input)) {
      const row = this.s.stmt(SQL.keyLookup).get(key.kind, key.scope, key.name, C.writeDate(input.now)) as
        stored.Row | undefined;
      const order = row && this.s.readOrder(row.invoice_number as string);
      if (!order) continue;
      if (key.kind === 'idempotency') found.byKey = { requestHash: row.request_hash as string | null, order };
      else found.byReference = order;
    }
    if (input.order.reference) found.paidInvoice = this.paidSibling(input.order.reference, '');
    return found;
  }
}
