// A report's transaction on PostgreSQL goes out in two writes (BEGIN with the inbox insert and the
// order's lock, the writes with COMMIT): a write that fails takes the whole transaction with it, so
// nothing of the notification is stored and DOKU's retry is applied, not taken for a duplicate.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import type { Store } from '../../bff/store/types.ts';
import { paidNotificationReport } from '../helpers/orders.ts';
import { storeOnFreshSchema, type StoreOnSchema } from '../helpers/pg.ts';

const T0 = new Date('2026-02-01T09:00:00.000Z');
const INVOICE = 'INV-PIPELINED-1';

const paid = paidNotificationReport(INVOICE, 'notif-pipelined-1', { amount: 30_000, at: T0 });

describe('PostgreSQL report transaction', () => {
  let fixture: StoreOnSchema | undefined;
  let skip: string | undefined;
  let store: Store;
  let admin: pg.Client;

  before(async () => {
    const s = await storeOnFreshSchema();
    if ('skip' in s) return void (skip = s.skip);
    ({ store, admin } = fixture = s);
    await store.insertOrder({
      invoiceNumber: INVOICE,
      amount: 30_000,
      statusTokenHash: 'b'.repeat(64),
      requestId: 'req-pipelined-1',
      lineItems: [{ name: 'Sate', price: 30_000, quantity: 1 }],
      returnUrl: 'https://shop.example/thanks',
      createdAt: T0,
      expiresAt: new Date(T0.getTime() + 900_000),
    });
  });
  after(() => fixture?.close());

  it('a failed write rolls the notification back whole; the retry is applied', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    await admin.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'order_events refused for the test'; END $$`);
    await admin.query('CREATE TRIGGER refuse BEFORE INSERT ON order_events FOR EACH ROW EXECUTE FUNCTION refuse()');
    await assert.rejects(store.applyReport(paid), /order_events refused for the test/);
    assert.equal((await store.getOrder(INVOICE))?.status, 'PENDING');
    assert.deepEqual(await store.listInbox(INVOICE), [], 'the inbox row went with the transaction');

    await admin.query('DROP TRIGGER refuse ON order_events');
    const again = await store.applyReport(paid);
    assert.equal(again.kind, 'applied');
    assert.equal((await store.getOrder(INVOICE))?.status, 'SUCCESS');
    assert.deepEqual(
      (await store.listInbox(INVOICE)).map((e) => e.outcome),
      ['transition'],
    );
    assert.equal((await store.applyReport(paid)).kind, 'duplicate');
  });
});
