// One contract suite, run against both stores (SQLite file, PostgreSQL schema), so they cannot drift.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Redirect } from '../../shared/api.ts';
import { openStore } from '../../bff/store/index.ts';
import type { InboxEntry, NewOrder } from '../../bff/orders/order.ts';
import type { ApplyInput } from '../../bff/orders/plan.ts';
import type { Store, WebhookDue } from '../../bff/store/types.ts';
import pg from 'pg';
import { PostgresStore } from '../../bff/store/postgres.ts';
import { freshSchema, startTcpProxy } from '../helpers/pg.ts';

interface Backend {
  url: string;
  cleanup(): Promise<void>;
}

const BACKENDS: Record<string, () => Promise<Backend | { skip: string }>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaja-store-'));
    // A nested path: openStore must create the directory.
    return {
      url: `sqlite:${join(dir, 'nested', 'orders.db')}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  postgres: async () => {
    const s = await freshSchema();
    return 'skip' in s ? s : { url: s.url, cleanup: s.drop };
  },
};

const T0 = new Date('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const uid = () => randomBytes(5).toString('hex').toUpperCase();

function newOrder(over: Partial<NewOrder> = {}): NewOrder {
  return {
    invoiceNumber: `INV-${uid()}`,
    amount: 25_000,
    statusTokenHash: 'a'.repeat(64),
    requestId: `req-${uid()}`,
    lineItems: [{ name: 'Kopi Susu', price: 12_500, quantity: 2 }],
    returnUrl: 'https://shop.example/thanks',
    createdAt: T0,
    expiresAt: at(15 * 60_000),
    ...over,
  };
}

function inbox(invoiceNumber: string, requestId = `notif-${uid()}`): InboxEntry {
  return {
    requestId,
    invoiceNumber,
    headers: { 'client-id': 'MCH-1', 'request-id': requestId, 'content-type': 'application/json' },
    rawBody: JSON.stringify({ order: { invoice_number: invoiceNumber } }),
    receivedAt: at(1000),
  };
}

const notification = (invoiceNumber: string, status: string, amount = 25_000, requestId?: string): ApplyInput => ({
  invoiceNumber,
  report: { status, amount },
  source: 'notification',
  inbox: inbox(invoiceNumber, requestId),
  now: at(2000),
});

const REDIRECT: Redirect = {
  method: 'POST',
  url: 'https://pay.example/linkaja',
  parameters: [{ name: 'msg', value: 'x' }],
};

for (const [name, setup] of Object.entries(BACKENDS)) {
  describe(`store contract: ${name}`, () => {
    let backend: Backend | undefined;
    let skip: string | undefined;
    let store: Store;
    const extra: Store[] = [];

    before(async () => {
      const b = await setup();
      if ('skip' in b) skip = b.skip;
      else {
        backend = b;
        store = await openStore(b.url);
      }
    });
    after(async () => {
      for (const s of extra) await s.close();
      await store?.close();
      await backend?.cleanup();
    });

    /** A test that skips visibly when this backend is not available. */
    const test = (title: string, fn: () => Promise<void>): void =>
      void it(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await fn();
      });
    /** A second store instance on the same database (another BFF instance). */
    const another = async () => {
      const s = await openStore(backend!.url);
      extra.push(s);
      return s;
    };

    test('insertOrder then getOrder round-trips every field', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      const got = await store.getOrder(o.invoiceNumber);
      const { statusTokenHash: _hash, ...stored } = o;
      assert.deepEqual(got, {
        ...stored,
        reference: null,
        metadata: {},
        customer: null,
        duplicateOf: null,
        status: 'PENDING',
        gatewayState: 'requested',
        redirect: null,
        needsReview: false,
        version: 0,
        updatedAt: o.createdAt,
        lastCheckedAt: null,
        nextCheckAt: o.createdAt,
      });
      assert.equal(await store.getOrder('INV-NOPE'), null);
    });

    test('a second order with the same invoice number or create Request-Id is refused', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      await assert.rejects(store.insertOrder(newOrder({ invoiceNumber: o.invoiceNumber })));
      await assert.rejects(store.insertOrder(newOrder({ requestId: o.requestId })));
    });

    test('markAccepted keeps the redirect; markRejected fails the order and records why', async () => {
      const a = newOrder();
      await store.insertOrder(a);
      await store.markAccepted(a.invoiceNumber, REDIRECT, at(500));
      const accepted = (await store.getOrder(a.invoiceNumber))!;
      assert.equal(accepted.gatewayState, 'accepted');
      assert.deepEqual(accepted.redirect, REDIRECT);
      assert.equal(accepted.status, 'PENDING');

      const r = newOrder();
      await store.insertOrder(r);
      const rejected = (await store.markRejected(r.invoiceNumber, at(500)))!;
      assert.equal(rejected.status, 'FAILED');
      assert.equal(rejected.gatewayState, 'rejected');
      assert.equal(rejected.version, 1);
      assert.deepEqual(await store.listEvents(r.invoiceNumber), [
        { from: 'PENDING', to: 'FAILED', source: 'gateway', version: 1, at: at(500) },
      ]);
      // A late acceptance never overrides the refusal.
      await store.markAccepted(r.invoiceNumber, REDIRECT, at(600));
      assert.equal((await store.getOrder(r.invoiceNumber))!.gatewayState, 'rejected');
      assert.equal(await store.markRejected('INV-NOPE', at(0)), null);
    });

    test('applyReport: a notification moves PENDING to SUCCESS, bumps version, audits, records the inbox', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      const input = notification(o.invoiceNumber, 'SUCCESS');
      const out = await store.applyReport(input);
      assert.equal(out.kind, 'applied');
      if (out.kind !== 'applied') return;
      assert.deepEqual(out.verdict, { kind: 'transition', to: 'SUCCESS' });
      assert.equal(out.previous, 'PENDING');
      assert.equal(out.order.status, 'SUCCESS');
      assert.equal(out.order.version, 1);
      assert.deepEqual(out.order.updatedAt, input.now);
      assert.deepEqual(await store.getOrder(o.invoiceNumber), out.order);
      const inboxRows = await store.listInbox(o.invoiceNumber);
      assert.deepEqual(inboxRows, [{ ...input.inbox!, outcome: 'transition' }]);
      assert.deepEqual(await store.listEvents(o.invoiceNumber), [
        { from: 'PENDING', to: 'SUCCESS', source: 'notification', version: 1, at: input.now },
      ]);
    });

    test('applyReport: the same notification Request-Id again is a duplicate and changes nothing', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      await store.applyReport(notification(o.invoiceNumber, 'FAILED', 25_000, 'same-id-' + o.invoiceNumber));
      const again = await store.applyReport(
        notification(o.invoiceNumber, 'SUCCESS', 25_000, 'same-id-' + o.invoiceNumber),
      );
      assert.deepEqual(again, { kind: 'duplicate' });
      const order = (await store.getOrder(o.invoiceNumber))!;
      assert.equal(order.status, 'FAILED');
      assert.equal(order.version, 1);
      assert.deepEqual(
        (await store.listInbox(o.invoiceNumber)).map((e) => e.outcome),
        ['transition'],
      );
    });

    test('applyReport: an unknown invoice is recorded in the inbox and changes nothing', async () => {
      const input = notification('INV-UNKNOWN-' + uid(), 'SUCCESS');
      assert.deepEqual(await store.applyReport(input), { kind: 'unknown_invoice' });
      assert.deepEqual(await store.listInbox(input.invoiceNumber), [{ ...input.inbox!, outcome: 'unknown_invoice' }]);
      // Without an inbox entry (a Check Status answer) nothing at all is written.
      const bare = 'INV-UNKNOWN-' + uid();
      assert.deepEqual(
        await store.applyReport({
          invoiceNumber: bare,
          report: { status: 'SUCCESS' },
          source: 'check_status',
          now: at(0),
        }),
        { kind: 'unknown_invoice' },
      );
      assert.deepEqual(await store.listInbox(bare), []);
    });

    test('applyReport: a different amount flags the order for review and never marks it paid', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      const out = await store.applyReport(notification(o.invoiceNumber, 'SUCCESS', 1));
      assert.equal(out.kind, 'applied');
      if (out.kind !== 'applied') return;
      assert.deepEqual(out.verdict, { kind: 'amount_mismatch' });
      assert.equal(out.order.status, 'PENDING');
      assert.equal(out.order.needsReview, true);
      assert.equal(out.order.version, 0);
      assert.equal((await store.getOrder(o.invoiceNumber))!.needsReview, true);
      assert.equal((await store.listInbox(o.invoiceNumber))[0].outcome, 'amount_mismatch');
      assert.deepEqual(await store.listEvents(o.invoiceNumber), []);
    });

    test('applyReport: FAILED after SUCCESS is refused; SUCCESS after FAILED is taken; versions count changes', async () => {
      const paid = newOrder();
      await store.insertOrder(paid);
      await store.applyReport(notification(paid.invoiceNumber, 'SUCCESS'));
      const refused = await store.applyReport(notification(paid.invoiceNumber, 'FAILED'));
      assert.equal(refused.kind, 'applied');
      if (refused.kind !== 'applied') return;
      assert.equal(refused.verdict.kind, 'refused');
      assert.equal(refused.order.status, 'SUCCESS');
      assert.equal(refused.order.version, 1);
      assert.deepEqual(
        (await store.listInbox(paid.invoiceNumber)).map((e) => e.outcome),
        ['transition', 'refused'],
      );
      assert.equal((await store.listEvents(paid.invoiceNumber)).length, 1);

      const late = newOrder();
      await store.insertOrder(late);
      await store.applyReport({
        invoiceNumber: late.invoiceNumber,
        report: { status: 'EXPIRED' },
        source: 'expiry',
        now: at(100),
      });
      const out = await store.applyReport({
        invoiceNumber: late.invoiceNumber,
        report: { status: 'SUCCESS', amount: 25_000 },
        source: 'check_status',
        now: at(200),
      });
      assert.equal(out.kind === 'applied' && out.order.version, 2);
      assert.deepEqual(
        (await store.listEvents(late.invoiceNumber)).map((e) => [e.from, e.to, e.source, e.version]),
        [
          ['PENDING', 'EXPIRED', 'expiry', 1],
          ['EXPIRED', 'SUCCESS', 'check_status', 2],
        ],
      );
    });

    test('applyReport: waiting and unknown statuses change nothing but are recorded', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      const waiting = await store.applyReport(notification(o.invoiceNumber, 'PENDING'));
      const unknown = await store.applyReport(notification(o.invoiceNumber, 'REFUNDED'));
      assert.equal(waiting.kind === 'applied' && waiting.verdict.kind, 'no_change');
      assert.equal(unknown.kind === 'applied' && unknown.verdict.kind, 'unknown_status');
      const order = (await store.getOrder(o.invoiceNumber))!;
      assert.equal(order.status, 'PENDING');
      assert.equal(order.version, 0);
      assert.deepEqual((await store.listInbox(o.invoiceNumber)).map((e) => e.outcome).sort(), [
        'no_change',
        'unknown_status',
      ]);
    });

    test('applyReport: the same notification 40 times at once, through two instances, applies once', async () => {
      const other = await another();
      const o = newOrder();
      await store.insertOrder(o);
      const requestId = 'burst-' + o.invoiceNumber;
      const outs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? other : store).applyReport(notification(o.invoiceNumber, 'SUCCESS', 25_000, requestId)),
        ),
      );
      assert.equal(outs.filter((x) => x.kind === 'applied').length, 1);
      assert.equal(outs.filter((x) => x.kind === 'duplicate').length, 39);
      const order = (await store.getOrder(o.invoiceNumber))!;
      assert.equal(order.status, 'SUCCESS');
      assert.equal(order.version, 1);
      assert.equal((await store.listInbox(o.invoiceNumber)).length, 1);
      assert.equal((await store.listEvents(o.invoiceNumber)).length, 1);
    });

    test('applyReport: 20 different notifications racing on one order make exactly one transition', async () => {
      const other = await another();
      const o = newOrder();
      await store.insertOrder(o);
      const outs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : store).applyReport(notification(o.invoiceNumber, 'SUCCESS')),
        ),
      );
      const verdicts = outs.map((x) => (x.kind === 'applied' ? x.verdict.kind : x.kind));
      assert.equal(verdicts.filter((v) => v === 'transition').length, 1);
      assert.equal(verdicts.filter((v) => v === 'no_change').length, 19);
      assert.equal((await store.getOrder(o.invoiceNumber))!.version, 1);
      assert.equal((await store.listEvents(o.invoiceNumber)).length, 1);
    });

    test('claimDueForCheck (due): old enough, due, earliest due first, at most limit; leased until released', async () => {
      // A far-future clock keeps this test's orders apart from the other tests' orders.
      const base = new Date('2030-06-01T00:00:00.000Z').getTime();
      const mk = async (ageMs: number, over: Partial<NewOrder> = {}) => {
        const o = newOrder({ createdAt: new Date(base - ageMs), expiresAt: new Date(base + 3_600_000), ...over });
        await store.insertOrder(o);
        return o.invoiceNumber;
      };
      const due2 = await mk(90_000);
      const due1 = await mk(120_000);
      await mk(10_000); // too young
      const rejected = await mk(120_000);
      await store.markRejected(rejected, new Date(base - 100_000));
      const paid = await mk(120_000);
      await store.applyReport({
        invoiceNumber: paid,
        report: { status: 'SUCCESS' },
        source: 'check_status',
        now: new Date(base - 50_000),
      });
      assert.equal((await store.getOrder(paid))!.nextCheckAt, null, 'a paid order is never due again');
      assert.equal((await store.getOrder(rejected))!.nextCheckAt, null, 'nor one DOKU refused to create');
      const now = new Date(base);
      // Every due order in this shared store is taken (and leased) here, so the claims below see only ours.
      const opts = { queue: 'due' as const, now, minAgeMs: 60_000, limit: 10_000, leaseMs: 20_000 };
      const mine = (xs: { invoiceNumber: string }[]) =>
        xs.map((x) => x.invoiceNumber).filter((i) => [due1, due2].includes(i));
      const next = async (at: number) =>
        (await store.claimDueForCheck({ ...opts, now: new Date(base + at), limit: 1 }))[0]?.invoiceNumber;

      const first = await store.claimDueForCheck(opts);
      assert.deepEqual(mine(first), [due1, due2]);
      assert.ok(first.every((x) => x.createdAt.getTime() <= base - 60_000));
      const claimed = (await store.getOrder(due1))!;
      assert.deepEqual([claimed.lastCheckedAt, claimed.nextCheckAt], [now, new Date(base + 20_000)]);
      // Leased: nobody takes it again until the lease ends or it is released.
      assert.equal(await next(10_000), undefined);
      const leaseUntil = new Date(base + 20_000);
      await store.releaseCheck(due1, { leaseUntil, nextCheckAt: new Date(base + 8_000) });
      await store.releaseCheck(due2, { leaseUntil, nextCheckAt: new Date(base + 5_000) });
      assert.equal(await next(4_000), undefined, 'released, but not due yet');
      // Earliest due first: the younger order, due sooner, before the older one.
      assert.deepEqual([await next(10_000), await next(10_000), await next(10_000)], [due2, due1, undefined]);
      // A release that comes after its lease was taken over changes nothing.
      await store.releaseCheck(due1, { leaseUntil, nextCheckAt: null });
      assert.deepEqual((await store.getOrder(due1))!.nextCheckAt, new Date(base + 30_000));
    });

    test('claimDueForCheck (expiry): PENDING orders past expiry that are due, soonest expired first', async () => {
      const base = new Date('2030-09-01T00:00:00.000Z').getTime();
      const mk = async (expiresIn: number) => {
        const o = newOrder({ createdAt: new Date(base - 3_600_000), expiresAt: new Date(base + expiresIn) });
        await store.insertOrder(o);
        return o.invoiceNumber;
      };
      const later = await mk(-1_000);
      const sooner = await mk(-5_000);
      await mk(60_000); // not expired yet
      await mk(-9_000); // expired soonest, but leased by another pass (below)
      const opts = { queue: 'expiry' as const, minAgeMs: 60_000, limit: 10_000, leaseMs: 30_000 };
      // Another pass takes it (and every other test's expired order in this shared store).
      await store.claimDueForCheck({ ...opts, now: new Date(base - 9_000) });
      const paid = await mk(-20_000);
      await store.applyReport({
        invoiceNumber: paid,
        report: { status: 'SUCCESS' },
        source: 'check_status',
        now: new Date(base - 1),
      });
      const next = async () =>
        (await store.claimDueForCheck({ ...opts, now: new Date(base), limit: 1 }))[0]?.invoiceNumber;
      assert.deepEqual([await next(), await next(), await next()], [sooner, later, undefined]);
    });

    test('countLatePayments: orders that became SUCCESS after FAILED or EXPIRED', async () => {
      const before = await store.countLatePayments();
      const report = (invoiceNumber: string, status: string) =>
        store.applyReport({ invoiceNumber, report: { status }, source: 'check_status', now: at(5_000) });
      const late = newOrder();
      const onTime = newOrder();
      await store.insertOrder(late);
      await store.insertOrder(onTime);
      await report(late.invoiceNumber, 'EXPIRED');
      await report(late.invoiceNumber, 'SUCCESS');
      await report(onTime.invoiceNumber, 'SUCCESS');
      assert.equal(await store.countLatePayments(), before + 1);
    });

    test('claimDueForCheck: concurrent claimers on two instances never get the same order', async () => {
      const other = await another();
      const base = new Date('2031-01-01T00:00:00.000Z').getTime();
      const ids = new Set<string>();
      for (let i = 0; i < 30; i++) {
        // Due long ago: ahead of every other test's order in this shared store.
        const o = newOrder({ createdAt: new Date(Date.UTC(2000, 0, 1) + i), expiresAt: new Date(base + 3_600_000) });
        await store.insertOrder(o);
        ids.add(o.invoiceNumber);
      }
      const now = new Date(base);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? other : store).claimDueForCheck({ queue: 'due', now, minAgeMs: 60_000, leaseMs: 30_000, limit: 6 }),
        ),
      );
      const claimed = claims
        .flat()
        .map((o) => o.invoiceNumber)
        .filter((i) => ids.has(i));
      assert.equal(new Set(claimed).size, claimed.length, 'an order was handed to two claimers');
      assert.equal(claimed.length, 30, 'every due order is claimed once');
    });

    test('webhook outbox: a final change queued with it is claimed once, leased, retried, settled', async () => {
      const base = new Date('2032-01-01T00:00:00.000Z').getTime();
      const o = newOrder();
      await store.insertOrder(o);
      const quiet = newOrder();
      await store.insertOrder(quiet);
      const now = new Date(base);
      await store.applyReport({
        invoiceNumber: o.invoiceNumber,
        report: { status: 'SUCCESS', amount: 25_000 },
        source: 'notification',
        now,
        queueWebhook: true,
      });
      await store.applyReport({
        invoiceNumber: quiet.invoiceNumber,
        report: { status: 'SUCCESS', amount: 25_000 },
        source: 'notification',
        now,
      }); // no webhook configured
      const mine = (xs: WebhookDue[]) =>
        xs.filter((x) => [o.invoiceNumber, quiet.invoiceNumber].includes(x.invoiceNumber));
      const claim = (ms: number) =>
        store.claimWebhooks({ now: new Date(base + ms), leaseMs: 30_000, limit: 100 }).then(mine);

      const [first, ...rest] = await claim(0);
      assert.deepEqual(rest, []);
      assert.deepEqual(
        { ...first, eventId: 0 },
        {
          eventId: 0,
          invoiceNumber: o.invoiceNumber,
          amount: 25_000,
          status: 'SUCCESS',
          version: 1,
          at: now,
          attempts: 1,
        },
      );
      assert.deepEqual(await claim(10_000), [], 'leased to the first claimer while its attempt runs');
      // A late settle from an earlier claim (attempt 0) cannot move a row that was claimed since.
      await store.settleWebhook({ eventId: first.eventId, attempts: 0 }, { nextAt: new Date(base) });
      assert.deepEqual(await claim(1_000), [], 'the stale settle was fenced off');
      await store.settleWebhook(first, { nextAt: new Date(base + 5_000) });
      assert.equal((await claim(4_000)).length, 0, 'not before the retry is due');
      const [second] = await claim(5_000);
      assert.equal(second.attempts, 2);
      await store.settleWebhook(second, { deliveredAt: new Date(base + 5_100) });
      assert.deepEqual(await claim(3_600_000), [], 'delivered: never again');

      // A late settle of a failed attempt cannot requeue a delivery another attempt completed.
      await store.settleWebhook(second, { nextAt: new Date(base) });
      assert.deepEqual(await claim(3_600_000), [], 'still delivered');

      // A later change (FAILED -> SUCCESS is the only one) queues its own delivery, but only after the
      // earlier one is settled: the merchant gets them in order. Giving up ends a delivery.
      const f = newOrder();
      await store.insertOrder(f);
      await store.applyReport({
        invoiceNumber: f.invoiceNumber,
        report: { status: 'FAILED', amount: 25_000 },
        source: 'notification',
        now,
        queueWebhook: true,
      });
      await store.applyReport({
        invoiceNumber: f.invoiceNumber,
        report: { status: 'SUCCESS', amount: 25_000 },
        source: 'notification',
        now,
        queueWebhook: true,
      });
      const claimF = async (ms: number) =>
        (await store.claimWebhooks({ now: new Date(base + ms), leaseMs: 1_000, limit: 100 })).filter(
          (d) => d.invoiceNumber === f.invoiceNumber,
        );
      const [failed, ...none] = await claimF(0);
      assert.deepEqual([failed.status, failed.version, none], ['FAILED', 1, []]);
      assert.deepEqual(await claimF(500), [], 'SUCCESS waits while FAILED is in flight (leased, not yet settled)');
      await store.settleWebhook(failed, { nextAt: new Date(base + 60_000) });
      assert.deepEqual(await claimF(10_000), [], 'and while FAILED waits for its retry');
      await store.settleWebhook({ ...failed, attempts: failed.attempts }, { deliveredAt: new Date(base + 11_000) });
      const [succeeded] = await claimF(12_000);
      assert.deepEqual([succeeded.status, succeeded.version], ['SUCCESS', 2]);
      await store.settleWebhook(succeeded, { nextAt: null });
      assert.deepEqual(await claimF(3_600_000), [], 'given up: never again');
    });

    test('webhook outbox: concurrent claimers on two instances never get the same delivery', async () => {
      const other = await another();
      const base = new Date('2033-01-01T00:00:00.000Z');
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const o = newOrder();
        await store.insertOrder(o);
        await store.applyReport({
          invoiceNumber: o.invoiceNumber,
          report: { status: 'EXPIRED' },
          source: 'expiry',
          now: base,
          queueWebhook: true,
        });
        ids.add(o.invoiceNumber);
      }
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? other : store).claimWebhooks({ now: new Date(base.getTime() + 1), leaseMs: 60_000, limit: 4 }),
        ),
      );
      const claimed = claims
        .flat()
        .map((d) => d.invoiceNumber)
        .filter((i) => ids.has(i));
      assert.equal(new Set(claimed).size, claimed.length, 'a delivery was handed to two claimers');
      assert.equal(claimed.length, 20, 'every queued delivery is claimed once');
    });

    test('migrate again (and from several instances at once) is harmless; reopening keeps the data', async () => {
      const o = newOrder();
      await store.insertOrder(o);
      await store.migrate();
      await Promise.all([store.migrate(), (await another()).migrate(), (await another()).migrate()]);
      await store.ping();
      await store.close();
      store = await openStore(backend!.url);
      assert.equal((await store.getOrder(o.invoiceNumber))!.invoiceNumber, o.invoiceNumber);
    });
  });
}

describe('openStore', () => {
  it('refuses a URL it does not know, without echoing it', async () => {
    await assert.rejects(openStore('mysql://user:hunter2@db/x'), (err: Error) => !err.message.includes('hunter2'));
    await assert.rejects(openStore('sqlite:'));
  });

  it('PostgreSQL schemas created concurrently by fresh instances migrate once', async (t) => {
    const s = await freshSchema();
    if ('skip' in s) return t.skip(s.skip);
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(s.url)));
      const { rows } = await s.admin(`SELECT version FROM ${s.schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        rows.map((r) => r.version),
        [1, 2, 3, 4, 5, 6],
        'each migration applied once',
      );
      await Promise.all(stores.map((x) => x.close()));
    } finally {
      await s.drop();
    }
  });
});

describe('PostgresStore migrations', () => {
  it(
    'wait as long as another instance holds the migration lock (longer than the 5 s lock timeout requests get)',
    { timeout: 30_000 },
    async (t) => {
      const s = await freshSchema();
      if ('skip' in s) return t.skip(s.skip);
      const holder = new pg.Client({ connectionString: s.url });
      await holder.connect();
      let release: NodeJS.Timeout | undefined;
      try {
        await holder.query('BEGIN');
        await holder.query("SELECT pg_advisory_xact_lock(hashtext('linkaja-pay:migrations'))");
        release = setTimeout(() => void holder.query('COMMIT').catch(() => undefined), 6_000);
        const started = Date.now();
        const store = await openStore(s.url);
        assert.ok(Date.now() - started >= 5_500, `migrated after ${Date.now() - started} ms, while the lock was held`);
        await store.ping();
        await store.close();
      } finally {
        clearTimeout(release);
        await holder.end();
        await s.drop();
      }
    },
  );
});

describe('PostgresStore and connections that die silently', () => {
  it(
    'a pooled connection that goes silent fails its query within the timeout and is replaced',
    { timeout: 15_000 },
    async (t) => {
      const s = await freshSchema();
      if ('skip' in s) return t.skip(s.skip);
      const proxy = await startTcpProxy(s.url);
      const store = new PostgresStore(proxy.via(s.url), { max: 1, queryTimeoutMs: 300 });
      try {
        await store.migrate();
        await store.ping(); // the pool's one connection is now idle, through the proxy
        proxy.freeze();
        const started = Date.now();
        await assert.rejects(store.ping(), /timeout/i);
        assert.ok(Date.now() - started < 2000, `failed after ${Date.now() - started} ms`);
        await store.ping(); // a new connection: the dead one was dropped, not handed out again
      } finally {
        await store.close();
        await proxy.close();
        await s.drop();
      }
    },
  );
});
