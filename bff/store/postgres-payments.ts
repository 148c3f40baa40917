// PostgreSQL's side of payments found again (orders/payment-keys.ts), read tokens and order lists;
// the SQL is written once for both dialects (shared-sql.ts). Two instances never make two payments
// for one key: a request holds a transaction-scoped advisory lock on each of its keys (always in the
// same order) while it reads what they find and inserts the new order and keys.
import type pg from 'pg';
import type { NewOrder, Order } from '../orders/order.ts';
import {
  paymentKeysOf,
  planFindOrCreate,
  type FindOrCreateInput,
  type FindOrCreateOutcome,
  type FoundPayments,
  type PaymentKey,
} from '../orders/payment-keys.ts';
import { pendingOrder } from '../orders/order.ts';
import type { ReadToken } from '../orders/read-tokens.ts';
import { inTransaction } from './postgres-pool.ts';
import * as stored from './rows.ts';
import { listOrdersSql, PAYMENT_SQL as SQL } from './shared-sql.ts';
import type { OrderQuery, OrderStatusView, WithTokens } from './types.ts';

const C = stored.POSTGRES_CODEC;
const INSERT_ORDER = `INSERT INTO orders (${stored.ORDER_COLUMNS.join(', ')}) VALUES (${stored.ORDER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

type Queryable = pg.Pool | pg.PoolClient;

/** The lock a key's holders share (a hash collision only makes two keys wait for each other). */
const lockKey = (k: PaymentKey) => `linkaja-pay:payment-key\n${k.kind}\n${k.scope}\n${k.name}`;

const lock = (c: pg.PoolClient, key: PaymentKey) =>
  c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(key)]);

export class PostgresPayments {
  constructor(private readonly pool: pg.Pool) {}

  insertOrder(o: NewOrder): Promise<void> {
    return inTransaction(this.pool, (c) => this.insert(c, o));
  }

  findOrCreate(input: FindOrCreateInput): Promise<FindOrCreateOutcome> {
    return inTransaction(this.pool, async (c) => {
      for (const key of paymentKeysOf(input)) await lock(c, key);
      const plan = planFindOrCreate(await this.found(c, input), input);
      if (plan.insert) await this.insert(c, plan.insert);
      for (const k of plan.keys) {
        await c.query(SQL.keyUpsert, [k.kind, k.scope, k.name, k.invoiceNumber, k.requestHash, k.expiresAt]);
      }
      return plan.outcome;
    });
  }

  async releaseKeys(invoiceNumber: string): Promise<void> {
    await this.pool.query(SQL.keysRelease, [invoiceNumber]);
  }

  async addToken(invoiceNumber: string, t: ReadToken, now: Date, on: Queryable = this.pool): Promise<void> {
    await on.query(SQL.insertToken, [t.hash, invoiceNumber, t.kind, now, t.expiresAt]);
  }

  async withTokens(invoiceNumber: string): Promise<WithTokens<Order> | null> {
    const { rows } = await this.pool.query<stored.Row>(SQL.orderWithTokens, [invoiceNumber]);
    return stored.toWithTokens(rows, C, stored.toOrder);
  }

  async statusWithTokens(invoiceNumber: string): Promise<WithTokens<OrderStatusView> | null> {
    const { rows } = await this.pool.query<stored.Row>(SQL.statusWithTokens, [invoiceNumber]);
    return stored.toWithTokens(rows, C, stored.toOrderStatusView);
  }

  async list(q: OrderQuery): Promise<Order[]> {
    const { sql, values } = listOrdersSql(q, C);
    return (await this.pool.query<stored.Row>(sql, values)).rows.map((r) => stored.toOrder(r, C));
  }

  /**
   * For a move to SUCCESS: the order's reference (if any), locked as creation locks it, so a paid
   * sibling committed meanwhile is seen. Taken before the order's row lock, as creation takes it
   * before its rows (its key rows' foreign keys share-lock the order): the locks never cross.
   */
  async lockReferenceOf(c: pg.PoolClient, invoiceNumber: string): Promise<string | null> {
    const { rows } = await c.query<{ reference: string | null }>(
      'SELECT reference FROM orders WHERE invoice_number = $1',
      [invoiceNumber],
    );
    const reference = rows[0]?.reference ?? null;
    if (reference !== null) await lock(c, { kind: 'reference', scope: '', name: reference });
    return reference;
  }

  /** The first paid order of `reference` other than `except` (inside the caller's transaction). */
  async paidSibling(c: Queryable, reference: string, except: string): Promise<string | null> {
    const { rows } = await c.query<{ invoice_number: string }>(SQL.paidOfReference, [reference, except]);
    return rows[0]?.invoice_number ?? null;
  }

  /** The order row and its read tokens (inside the caller's transaction). */
  private async insert(c: pg.PoolClient, o: NewOrder): Promise<void> {
    await c.query(INSERT_ORDER, stored.orderValues(pendingOrder(o), C));
    await this.addToken(o.invoiceNumber, { hash: o.statusTokenHash, kind: 'status', expiresAt: null }, o.createdAt, c);
    if (o.returnTicket) {
      const { hash, expiresAt } = o.returnTicket;
      await this.addToken(o.invoiceNumber, { hash, kind: 'return', expiresAt }, o.createdAt, c);
    }
  }

  private async found(c: pg.PoolClient, input: FindOrCreateInput): Promise<FoundPayments> {
    const found: FoundPayments = { byKey: null, byReference: null, paidInvoice: null };
    for (const key of paymentKeysOf(input)) {
      const { rows } = await c.query<stored.Row>(SQL.keyLookup, [key.kind, key.scope, key.name, input.now]);
      const order = rows[0] ? await this.readOrder(c, rows[0].invoice_number as string) : null;
      if (!order) continue;
      if (key.kind === 'idempotency') found.byKey = { requestHash: rows[0].request_hash as string | null, order };
      else found.byReference = order;
    }
    if (input.order.reference) found.paidInvoice = await this.paidSibling(c, input.order.reference, '');
    return found;
  }

  private async readOrder(c: pg.PoolClient, invoiceNumber: string): Promise<Order | null> {
    const { rows } = await c.query<stored.Row>('SELECT * FROM orders WHERE invoice_number = $1', [invoiceNumber]);
    return rows[0] ? stored.toOrder(rows[0], C) : null;
  }
}
