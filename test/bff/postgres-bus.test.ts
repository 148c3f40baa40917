// PgBus against a real PostgreSQL: every instance hears each change announced on the channel (as
// stores announce them, inside their transactions) exactly once, with measured lag; survival of a
// killed or silent LISTEN connection; refusal of foreign payloads; clean close.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { PgBus } from '../../bff/events/pg-bus.ts';
import { encodeStatus } from '../../bff/events/status-channel.ts';
import type { StatusChange } from '../../bff/orders/order.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { resolveTestPg, startTcpProxy } from '../helpers/pg.ts';

const change = (invoiceNumber: string, version: number, status: StatusChange['status'] = 'PENDING'): StatusChange => ({
  invoiceNumber,
  status,
  amount: 25_000,
  version,
  updatedAt: new Date().toISOString(),
});

/** Resolves with the first change a subscription receives matching pred, or rejects after timeoutMs. */
function next(
  bus: PgBus,
  invoice: string,
  pred: (c: StatusChange) => boolean = () => true,
  timeoutMs = 3000,
): Promise<StatusChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no change for ${invoice} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.subscribe(invoice, (c) => {
      if (!pred(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

describe('PgBus (PostgreSQL LISTEN/NOTIFY)', () => {
  let url: string | undefined;
  let skip: string | undefined;
  // Each run uses its own channel: NOTIFY is database-wide, and other runs may share the database.
  const channel = `linkaja_status_t${randomBytes(4).toString('hex')}`;
  const buses: PgBus[] = [];
  let admin: pg.Pool;
  const open = async (log = capturingLogger().log, resync?: (i: string) => Promise<StatusChange | null>) => {
    const bus = await PgBus.open(url!, log, { channel, minBackoffMs: 20, maxBackoffMs: 200, resync });
    buses.push(bus);
    return bus;
  };

  before(async () => {
    const r = await resolveTestPg();
    if ('skip' in r) skip = r.skip;
    else {
      url = r.url;
      admin = new pg.Pool({ connectionString: url, max: 1 });
    }
  });
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await admin?.end();
  });
  /** What a store's committing transaction sends (there: pg_notify inside the transaction). */
  const announce = async (c: StatusChange) => {
    await admin.query('SELECT pg_notify($1, $2)', [channel, encodeStatus(c, 'test-store')]);
  };
  const test = (title: string, fn: () => Promise<void>): void =>
    void it(title, async (t: TestContext) => {
      if (skip) return t.skip(skip);
      await fn();
    });

  test('a change announced once reaches the subscribers of every instance exactly once; lag measured', async () => {
    const a = await open();
    const b = await open();
    const invoice = 'INV-BUS-' + randomBytes(3).toString('hex');
    const seenOnA: number[] = [];
    const offA = a.subscribe(invoice, (c) => seenOnA.push(c.version));
    const seenOnB: number[] = [];
    const offB = b.subscribe(invoice, (c) => seenOnB.push(c.version));

    const lags: number[] = [];
    for (let v = 1; v <= 50; v++) {
      const arrived = Promise.all([next(a, invoice, (c) => c.version === v), next(b, invoice, (c) => c.version === v)]);
      const t0 = performance.now();
      await announce(change(invoice, v));
      await arrived;
      lags.push(performance.now() - t0);
    }
    // Give a second copy time to arrive: there must be none.
    await new Promise((r) => setTimeout(r, 100));
    offA();
    offB();
    lags.sort((x, y) => x - y);
    const p = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))].toFixed(2);
    console.log(
      `  PgBus announce -> both instances, 50 changes: median ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${p(1)} ms`,
    );
    const all = Array.from({ length: 50 }, (_, i) => i + 1);
    assert.deepEqual(seenOnA, all);
    assert.deepEqual(seenOnB, all);
  });

  test('the listener comes back after pg_terminate_backend, logs it, and catches up on what it missed', async () => {
    const captured = capturingLogger();
    const invoice = 'INV-BUS-' + randomBytes(3).toString('hex');
    let current: StatusChange | null = null;
    const b = await open(captured.log, async (i) => (i === invoice ? current : null));
    const pid = b.listenerPid;
    assert.ok(pid);
    const seen: number[] = [];
    b.subscribe(invoice, (c) => seen.push(c.version));

    // Kill B's LISTEN connection from outside, and announce while it is down.
    const killed = await admin.query('SELECT pg_terminate_backend($1) AS ok', [pid]);
    assert.equal(killed.rows[0].ok, true);
    current = change(invoice, 1, 'SUCCESS');
    await announce(current);

    await waitFor(() => b.listenCount === 2, 5000);
    assert.equal(b.listening, true);
    assert.notEqual(b.listenerPid, pid);
    assert.match(captured.text(), /status bus connection lost; reconnecting/);
    assert.match(captured.text(), /status bus listening again/);
    // The change announced during the gap arrives through resync.
    await waitFor(() => seen.includes(1), 2000);
    // And live delivery goes on.
    const arrived = next(b, invoice, (c) => c.version === 2);
    await announce(change(invoice, 2, 'SUCCESS'));
    assert.equal((await arrived).version, 2);
    assert.ok(!captured.text().includes('postgres://'), 'the database URL never reaches a log line');
  });

  test('a LISTEN connection that goes silent (no reset) is noticed by its ping, replaced, and caught up', async () => {
    const proxy = await startTcpProxy(url!);
    try {
      const captured = capturingLogger();
      const invoice = 'INV-BUS-' + randomBytes(3).toString('hex');
      let current: StatusChange | null = null;
      const b = await PgBus.open(proxy.via(url!), captured.log, {
        channel,
        minBackoffMs: 20,
        maxBackoffMs: 200,
        pingMs: 100,
        pingTimeoutMs: 200,
        resync: async (i) => (i === invoice ? current : null),
      });
      buses.push(b);
      const seen: number[] = [];
      b.subscribe(invoice, (c) => seen.push(c.version));
      proxy.freeze(); // B's listener still looks connected, but hears nothing
      current = change(invoice, 1, 'SUCCESS');
      await announce(current);
      await waitFor(() => b.listenCount === 2, 3000);
      assert.match(captured.text(), /no answer to a ping within 200 ms/);
      await waitFor(() => seen.includes(1), 2000); // caught up through resync
      const arrived = next(b, invoice, (c) => c.version === 2);
      await announce(change(invoice, 2, 'SUCCESS'));
      assert.equal((await arrived).version, 2);
    } finally {
      await proxy.close();
    }
  });

  test('a payload that is not ours is ignored, and delivery goes on', async () => {
    const b = await open();
    const invoice = 'INV-BUS-' + randomBytes(3).toString('hex');
    await admin.query('SELECT pg_notify($1, $2)', [channel, 'not json']);
    await admin.query('SELECT pg_notify($1, $2)', [channel, '{"origin":"x"}']);
    // JSON that is not an envelope used to throw inside pg's notification handler: a crash.
    for (const p of [
      'null',
      '5',
      '[]',
      '{"origin":"x","change":null}',
      '{"origin":"x","change":{"invoiceNumber":"INV-1","status":"PAID","amount":1,"version":1,"updatedAt":"x"}}',
    ]) {
      await admin.query('SELECT pg_notify($1, $2)', [channel, p]);
    }
    const arrived = next(b, invoice);
    await announce(change(invoice, 7));
    assert.equal((await arrived).version, 7);
  });

  test('open fails fast when PostgreSQL does not answer; close stops reconnecting', async () => {
    const dead = new URL(url!);
    dead.port = '1';
    await assert.rejects(PgBus.open(dead.toString(), capturingLogger().log, { channel }));

    const bus = await PgBus.open(url!, capturingLogger().log, { channel, minBackoffMs: 10 });
    await bus.close();
    assert.equal(bus.listening, false);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(bus.listenCount, 1);
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
