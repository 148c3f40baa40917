// PostgreSQL reports under load share transactions (group commit): every report is still applied as
// if alone (one per order and group, a reference's second paid order still flagged), a report that
// cannot be stored fails by itself, and the rows show the sharing (rows written by one transaction
// carry the same xmin).
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import type { Store } from '../../bff/store/types.ts';
import { insertAgedOrder, paidNotificationReport } from '../helpers/orders.ts';
import { storeOnFreshSchema, type StoreOnSchema } from '../helpers/pg.ts';

const T0 = new Date('2026-03-01T09:00:00.000Z');
const AMOUNT = 25_000;

const paid = (invoice: string, requestId: string, rawBody?: string) =>
  paidNotificationReport(invoice, requestId, { amount: AMOUNT, at: T0, rawBody });

describe('PostgreSQL report groups', () => {
  let fixture: StoreOnSchema | undefined;
  let skip: string | undefined;
  let store: Store;
  let admin: pg.Client;

  const insert = (invoice: string, reference: string | null = null) =>
    insertAgedOrder(store, invoice, 0, { amount: AMOUNT, now: T0.getTime(), reference });
  /** How many transactions wrote these orders' current rows. */
  const writers = async (invoices: string[]) =>
    Number(
      (
        await admin.query<{ n: string }>(
          'SELECT count(DISTINCT xmin::text) AS n FROM orders WHERE invoice_number = ANY($1)',
          [invoices],
        )
      ).rows[0].n,
    );

  before(async () => {
    const s = await storeOnFreshSchema();
    if ('skip' in s) return void (skip = s.skip);
    ({ store, admin } = fixture = s);
  });
  after(() => fixture?.close());

  it('applies 40 reports arriving at once, each as if alone, in far fewer transactions', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const invoices = Array.from({ length: 40 }, (_, i) => `INV-GROUP-${String(i).padStart(2, '0')}`);
    for (const invoice of invoices) await insert(invoice);
    const outcomes = await Promise.all(invoices.map((inv) => store.applyReport(paid(inv, `n-${inv}`))));
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      invoices.map(() => 'applied'),
    );
    for (const invoice of invoices) {
      assert.equal((await store.getOrder(invoice))?.status, 'SUCCESS');
      assert.deepEqual(
        (await store.listEvents(invoice)).map((e) => e.to),
        ['SUCCESS'],
      );
      assert.deepEqual(
        (await store.listInbox(invoice)).map((e) => e.outcome),
        ['transition'],
      );
    }
    // The first went alone (nothing was queued); the 39 behind it shared the next transaction.
    const transactions = await writers(invoices);
    assert.ok(transactions <= 3, `40 reports in ${transactions} transactions`);
    // Sent again, each is a duplicate: the inbox rows were committed with the group.
    const again = await Promise.all(invoices.map((inv) => store.applyReport(paid(inv, `n-${inv}`))));
    assert.ok(again.every((o) => o.kind === 'duplicate'));
  });

  it('a report that cannot be stored fails alone; the rest of its group is applied', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const invoices = Array.from({ length: 10 }, (_, i) => `INV-FAILS-${i}`);
    for (const invoice of invoices) await insert(invoice);
    // PostgreSQL's text cannot hold a NUL character: that inbox row is refused.
    const results = await Promise.allSettled(
      invoices.map((inv, i) => store.applyReport(paid(inv, `n-${inv}`, i === 4 ? '{"a":"\u0000"}' : '{}'))),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      invoices.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
    );
    assert.equal((await store.getOrder(invoices[4]))?.status, 'PENDING');
    assert.deepEqual(await store.listInbox(invoices[4]), [], 'nothing of the refused report is stored');
    for (const [i, invoice] of invoices.entries()) {
      if (i !== 4) assert.equal((await store.getOrder(invoice))?.status, 'SUCCESS');
    }
  });

  it('two reports of one order go in different groups: the second sees the first', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    await insert('INV-TWICE');
    await insert('INV-AHEAD');
    const ahead = store.applyReport(paid('INV-AHEAD', 'n-ahead'));
    const [first, second] = await Promise.all([
      store.applyReport(paid('INV-TWICE', 'n-twice-1')),
      store.applyReport(paid('INV-TWICE', 'n-twice-2')),
    ]);
    await ahead;
    assert.equal(first.kind, 'applied');
    assert.equal(second.kind, 'applied');
    assert.equal(second.kind === 'applied' && second.previous, 'SUCCESS', 'the second found it paid');
    assert.deepEqual(
      (await store.listEvents('INV-TWICE')).map((e) => e.to),
      ['SUCCESS'],
    );
  });

  it("two paid orders of one reference in one group: the second is flagged as the first's duplicate", async (t: TestContext) => {
    if (skip) return t.skip(skip);
    await insert('INV-REF-A', 'ORDER-500');
    await insert('INV-REF-B', 'ORDER-500');
    await insert('INV-REF-AHEAD');
    // The first report goes alone; the two queued behind it make one group.
    const ahead = store.applyReport(paid('INV-REF-AHEAD', 'n-ref-ahead'));
    const both = Promise.all([
      store.applyReport(paid('INV-REF-A', 'n-ref-a')),
      store.applyReport(paid('INV-REF-B', 'n-ref-b')),
    ]);
    await ahead;
    await both;
    assert.equal(await writers(['INV-REF-A', 'INV-REF-B']), 1, 'both written by one transaction');
    const a = await store.getOrder('INV-REF-A');
    const b = await store.getOrder('INV-REF-B');
    assert.equal(a?.status, 'SUCCESS');
    assert.equal(b?.status, 'SUCCESS');
    assert.equal(a?.duplicateOf, null);
    assert.equal(b?.duplicateOf, 'INV-REF-A');
  });
});
