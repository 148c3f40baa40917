// The store's side of payments found again, read tokens, paid-twice references and order lists: one
// contract suite against both stores (SQLite file, PostgreSQL schema), races through two instances.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Redirect } from '../../shared/api.ts';
import type { NewOrder } from '../../bff/orders/order.ts';
import type { FindOrCreateInput } from '../../bff/orders/payment-keys.ts';
import { openStore } from '../../bff/store/index.ts';
import type { Store } from '../../bff/store/types.ts';
import { freshSchema } from '../helpers/pg.ts';

const BACKENDS: Record<string, () => Promise<{ url: string; cleanup(): Promise<void> } | { skip: string }>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaja-store-payments-'));
    return {
      url: `sqlite:${join(dir, 'orders.db')}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  postgres: async () => {
    const s = await freshSchema();
    return 'skip' in s ? s : { url: s.url, cleanup: s.drop };
  },
};

const T0 = new Date('2026-02-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const uid = () => randomBytes(5).toString('hex').toUpperCase();
const REDIRECT: Redirect = {
  method: 'POST',
  url: 'https://pay.example/',
  parameters: [{ name: 'Message', value: 'm' }],
};

function newOrder(over: Partial<NewOrder> = {}): NewOrder {
  return {
    invoiceNumber: `INV-${uid()}`,
    amount: 30_000,
    requestId: `req-${uid()}`,
    lineItems: [{ name: 'Nasi Goreng', price: 15_000, quantity: 2 }],
    reference: null,
    metadata: {},
    customer: null,
    returnUrl: 'https://shop.example/checkout',
    createdAt: T0,
    expiresAt: at(15 * 60_000),
    statusTokenHash: randomBytes(32).toString('hex'),
    ...over,
  };
}

for (const [name, setup] of Object.entries(BACKENDS)) {
  describe(`store payments: ${name}`, () => {
    let skip: string | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    let other: Store;
    before(async () => {
      const b = await setup();
      if ('skip' in b) skip = b.skip;
      else {
        cleanup = b.cleanup;
        store = await openStore(b.url);
        other = await openStore(b.url); // a second instance on the same database
      }
    });
    after(async () => {
      await other?.close();
      await store?.close();
      await cleanup?.();
    });
    const test = (title: string, fn: () => Promise<void>): void =>
      void it(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await fn();
      });

    /** A request for a new payment; its key and reference as given. */
    const request = (
      over: { key?: string; hash?: string; scope?: string; reference?: string | null; now?: Date } = {},
    ): FindOrCreateInput => ({
      order: newOrder({
        reference: over.reference ?? null,
        createdAt: over.now ?? T0,
        expiresAt: new Date((over.now ?? T0).getTime() + 15 * 60_000),
      }),
      idempotency:
        over.key === undefined
          ? undefined
          : { scope: over.scope ?? 'https://shop.example', name: over.key, requestHash: over.hash ?? 'h1' },
      now: over.now ?? T0,
      inFlightMs: 35_000,
    });
    const created = async (input: FindOrCreateInput, on = store) => {
      const out = await on.findOrCreatePayment(input);
      assert.equal(out.kind, 'created');
      return input.order.invoiceNumber;
    };
    const kindOf = async (input: FindOrCreateInput) => {
      const out = await store.findOrCreatePayment(input);
      return out.kind === 'found' || out.kind === 'in_progress' ? `${out.kind} ${out.order.invoiceNumber}` : out.kind;
    };

    test('an order is stored with its reference, metadata, customer and both read tokens', async () => {
      const o = newOrder({
        reference: 'ORDER-77',
        metadata: { channel: 'web' },
        customer: { name: 'Siti', phone: '081234567890' },
        returnTicket: { hash: 'b'.repeat(64), expiresAt: at(48 * 3_600_000) },
      });
      await store.insertOrder(o);
      const found = (await store.getOrderWithTokens(o.invoiceNumber))!;
      assert.deepEqual(
        [found.order.reference, found.order.metadata, found.order.customer, found.order.duplicateOf],
        ['ORDER-77', { channel: 'web' }, { name: 'Siti', phone: '081234567890' }, null],
      );
      const byKind = (xs: typeof found.tokens) => [...xs].sort((a, b) => a.kind.localeCompare(b.kind));
      assert.deepEqual(byKind(found.tokens), [
        { hash: 'b'.repeat(64), kind: 'return', expiresAt: at(48 * 3_600_000) },
        { hash: o.statusTokenHash, kind: 'status', expiresAt: null },
      ]);
      await store.addReadToken(o.invoiceNumber, { hash: 'c'.repeat(64), kind: 'status', expiresAt: null }, at(1000));
      assert.equal((await store.getOrderWithTokens(o.invoiceNumber))!.tokens.length, 3);
      assert.equal(await store.getOrderWithTokens('INV-NOPE'), null);
      // A status poll reads the same tokens with only the fields of its answer.
      const view = (await store.getStatusWithTokens(o.invoiceNumber))!;
      const { invoiceNumber, amount, status, updatedAt, reference } = found.order;
      assert.deepEqual(view.order, { invoiceNumber, amount, status, updatedAt, reference });
      assert.deepEqual(byKind(view.tokens), byKind((await store.getOrderWithTokens(o.invoiceNumber))!.tokens));
      assert.equal(await store.getStatusWithTokens('INV-NOPE'), null);
    });

    test('an Idempotency-Key: created, in progress until DOKU answers, then found; another request is refused', async () => {
      const key = `key-${uid()}`;
      const first = await created(request({ key }));
      assert.equal(await kindOf(request({ key })), `in_progress ${first}`);
      await store.markAccepted(first, REDIRECT, at(500));
      const again = await store.findOrCreatePayment(request({ key }));
      assert.equal(again.kind, 'found');
      assert.deepEqual(again.kind === 'found' && [again.order.invoiceNumber, again.redirect], [first, REDIRECT]);
      assert.equal(await kindOf(request({ key, hash: 'h2' })), 'key_reused');
      assert.equal(await kindOf(request({ key, scope: 'https://other.example' })), 'created', 'scoped per origin');
    });

    test('an Idempotency-Key is forgotten once its payment expires, and freed when DOKU gave no redirect', async () => {
      const key = `key-${uid()}`;
      const first = await created(request({ key }));
      await store.markAccepted(first, REDIRECT, at(500));
      const later = at(15 * 60_000); // the payment's expiry
      const second = await created(request({ key, hash: 'another body', now: later }));
      assert.notEqual(second, first);
      assert.equal(await kindOf(request({ key, hash: 'another body', now: later })), `in_progress ${second}`);
      await store.releasePaymentKeys(second);
      assert.equal(await kindOf(request({ key, hash: 'another body', now: later })), 'created');
    });

    test('a reference: its PENDING payment again, a new one after FAILED, 409 once paid', async () => {
      const reference = `REF-${uid()}`;
      const first = await created(request({ reference }));
      await store.markAccepted(first, REDIRECT, at(500));
      assert.equal(await kindOf(request({ reference, key: `k-${uid()}` })), `found ${first}`);
      await store.applyReport({
        invoiceNumber: first,
        report: { status: 'FAILED' },
        source: 'notification',
        now: at(1000),
      });
      const second = await created(request({ reference }));
      await store.markAccepted(second, REDIRECT, at(1500));
      assert.equal(await kindOf(request({ reference })), `found ${second}`);
      await store.applyReport({
        invoiceNumber: second,
        report: { status: 'SUCCESS', amount: 30_000 },
        source: 'notification',
        now: at(2000),
      });
      assert.equal(await kindOf(request({ reference })), 'already_paid');
      assert.equal(await kindOf(request({ reference, now: at(3_600_000) })), 'already_paid', 'for good');
    });

    test('20 requests with one key at once, through two instances, make one payment', async () => {
      const key = `race-${uid()}`;
      const outs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).findOrCreatePayment(request({ key }))),
      );
      const made = outs.filter((o) => o.kind === 'created');
      assert.equal(made.length, 1);
      const invoice = made[0].kind === 'created' && made[0].order.invoiceNumber;
      assert.ok(
        outs.every((o) => o.kind === 'created' || (o.kind === 'in_progress' && o.order.invoiceNumber === invoice)),
      );
    });

    test('20 requests for one reference at once (no key), through two instances, make one payment', async () => {
      const reference = `RACE-${uid()}`;
      const outs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).findOrCreatePayment(request({ reference }))),
      );
      assert.equal(outs.filter((o) => o.kind === 'created').length, 1);
      assert.equal(outs.filter((o) => o.kind === 'in_progress').length, 19);
    });

    test('a second paid payment of one reference records the first as duplicate_of; the first stays clean', async () => {
      const reference = `TWICE-${uid()}`;
      const [a, b] = [newOrder({ reference }), newOrder({ reference, createdAt: at(1000) })];
      await store.insertOrder(a);
      await store.insertOrder(b);
      const pay = (invoiceNumber: string, now: Date, on = store) =>
        on.applyReport({ invoiceNumber, report: { status: 'SUCCESS', amount: 30_000 }, source: 'notification', now });
      await store.applyReport({
        invoiceNumber: a.invoiceNumber,
        report: { status: 'EXPIRED' },
        source: 'expiry',
        now: at(2000),
      });
      await pay(b.invoiceNumber, at(3000));
      const late = await pay(a.invoiceNumber, at(4000));
      assert.equal(late.kind === 'applied' && late.order.duplicateOf, b.invoiceNumber);
      assert.equal((await store.getOrder(a.invoiceNumber))!.duplicateOf, b.invoiceNumber);
      assert.equal((await store.getOrder(b.invoiceNumber))!.duplicateOf, null);
      // An order without a reference is never anybody's duplicate.
      const lone = newOrder();
      await store.insertOrder(lone);
      assert.equal(
        (await pay(lone.invoiceNumber, at(5000))).kind === 'applied' &&
          (await store.getOrder(lone.invoiceNumber))!.duplicateOf,
        null,
      );
    });

    test('two payments of one reference paid at once, through two instances: exactly one is flagged, 8 times over', async () => {
      for (let round = 0; round < 8; round++) {
        const reference = `BOTH-${uid()}`;
        const pair = [newOrder({ reference }), newOrder({ reference })];
        for (const o of pair) await store.insertOrder(o);
        await Promise.all(
          pair.map((o, i) =>
            (i ? other : store).applyReport({
              invoiceNumber: o.invoiceNumber,
              report: { status: 'SUCCESS', amount: 30_000 },
              source: 'notification',
              now: at(1000),
            }),
          ),
        );
        const flags = await Promise.all(pair.map(async (o) => (await store.getOrder(o.invoiceNumber))!.duplicateOf));
        assert.equal(flags.filter((f) => f !== null).length, 1, `round ${round}: ${JSON.stringify(flags)}`);
        assert.ok(flags.includes(pair[0].invoiceNumber) || flags.includes(pair[1].invoiceNumber));
      }
    });

    test('listOrders: by reference, status and creation time, newest first, page by page', async () => {
      const reference = `LIST-${uid()}`;
      const base = new Date('2034-03-01T00:00:00.000Z').getTime();
      const orders = Array.from({ length: 5 }, (_, i) =>
        newOrder({ reference, createdAt: new Date(base + i * 1000), expiresAt: new Date(base + 3_600_000) }),
      );
      for (const o of orders) await store.insertOrder(o);
      await store.applyReport({
        invoiceNumber: orders[1].invoiceNumber,
        report: { status: 'FAILED' },
        source: 'notification',
        now: new Date(base + 9000),
      });
      const invoices = (xs: { invoiceNumber: string }[]) => xs.map((x) => x.invoiceNumber);
      const newestFirst = invoices([...orders].reverse());
      assert.deepEqual(invoices(await store.listOrders({ reference, limit: 10 })), newestFirst);
      assert.deepEqual(invoices(await store.listOrders({ reference, status: 'FAILED', limit: 10 })), [
        orders[1].invoiceNumber,
      ]);
      assert.deepEqual(
        invoices(
          await store.listOrders({
            reference,
            createdFrom: new Date(base + 1000),
            createdBefore: new Date(base + 3000),
            limit: 10,
          }),
        ),
        [orders[2].invoiceNumber, orders[1].invoiceNumber],
      );
      const page1 = await store.listOrders({ reference, limit: 2 });
      const page2 = await store.listOrders({ reference, limit: 2, after: page1[1] });
      const page3 = await store.listOrders({ reference, limit: 2, after: page2[1] });
      assert.deepEqual([...invoices(page1), ...invoices(page2), ...invoices(page3)], newestFirst);
      const since = await store.listOrders({ createdFrom: new Date(base), limit: 100 });
      assert.deepEqual(invoices(since.filter((o) => o.reference === reference)), newestFirst);
    });
  });
}
