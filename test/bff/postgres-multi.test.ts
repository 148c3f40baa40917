// Several BFF instances on one PostgreSQL, through real HTTP: streams on one instance hear what
// another accepted (lag measured), racing duplicates apply once, a database outage turns
// readiness and notifications into 503 (never a 200 for something not stored) and both recover,
// and a killed LISTEN connection comes back while streams go on.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database } from '../../bff/database.ts';
import { PgBus } from '../../bff/events/pg-bus.ts';
import type { Store } from '../../bff/store/types.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { sendNotification, signedNotification } from '../helpers/notify.ts';
import { freshSchema, startTcpProxy, type TcpProxy, type TestSchema } from '../helpers/pg.ts';
import { openStream } from '../helpers/sse.ts';

interface Instance {
  bff: TestBff;
  database: Database;
  store: Store;
  bus: PgBus;
  logs: ReturnType<typeof capturingLogger>;
}

interface Payment {
  invoice_number: string;
  amount: number;
  status_token: string;
}

describe('several BFF instances on one PostgreSQL', () => {
  let schema: TestSchema | undefined;
  let skip: string | undefined;
  let proxy: TcpProxy | undefined;
  const instances: Instance[] = [];
  // NOTIFY is database-wide: this run's instances talk on their own channel.
  const channel = `linkaja_status_t${randomBytes(4).toString('hex')}`;
  let a: Instance;
  let b: Instance;

  /** One BFF with its own pool and its own LISTEN connection, as a separate process would have. */
  async function startInstance(databaseUrl: string): Promise<Instance> {
    const logs = capturingLogger('info');
    const database = await openDatabase(databaseUrl, {
      log: logs.log,
      statusChannel: channel,
      listener: { minBackoffMs: 20, maxBackoffMs: 200 },
    });
    const { store, bus } = database;
    assert.ok(bus instanceof PgBus);
    const bff = await startTestBff({ store, bus, log: logs.log, env: { DATABASE_URL: databaseUrl } });
    const instance = { bff, database, store, bus, logs };
    instances.push(instance);
    return instance;
  }

  before(async () => {
    const s = await freshSchema();
    if ('skip' in s) {
      skip = s.skip;
      return;
    }
    schema = s;
    a = await startInstance(s.url);
    b = await startInstance(s.url);
  });
  after(async () => {
    for (const i of instances) {
      await i.bff.close();
      await i.database.close();
    }
    await proxy?.close();
    await schema?.drop();
  });
  const test = (title: string, fn: () => Promise<void>): void =>
    void it(title, async (t: TestContext) => {
      if (skip) return t.skip(skip);
      await fn();
    });

  async function newPayment(on: Instance): Promise<Payment> {
    const res = await fetch(`${on.bff.url}/api/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ items: [{ sku: 'gado-gado', quantity: 1 }] }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as Payment;
  }
  const streamOn = (on: Instance, p: Payment) =>
    openStream(`${on.bff.url}/api/payments/${p.invoice_number}/events?token=${p.status_token}`);
  const notifyOn = (on: Instance, p: Payment, status: string, requestId?: string) =>
    sendNotification(on.bff.url, on.bff.config, { invoice: p.invoice_number, amount: p.amount, status, requestId });

  test('a stream open on B sees the notification A accepted (lag printed)', async () => {
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const p = await newPayment(a);
      const s = await streamOn(b, p);
      assert.equal(JSON.parse((await s.event(0)).data).status, 'PENDING');
      const t0 = performance.now();
      const sent = notifyOn(a, p, 'SUCCESS');
      const ev = await s.event(1);
      lags.push(performance.now() - t0);
      assert.equal((await sent).status, 200);
      assert.equal(JSON.parse(ev.data).status, 'SUCCESS');
      assert.equal(ev.id, '1');
      await s.ended;
    }
    lags.sort((x, y) => x - y);
    console.log(
      `  notification on A -> SSE event on B, 10 orders: median ${lags[5].toFixed(1)} ms, max ${lags[9].toFixed(1)} ms (includes A's HTTP handling and commit)`,
    );
  });

  test('the same signed notification fired at A and B at once, 10 times over 8 orders, applies once per order', async () => {
    for (let round = 0; round < 8; round++) {
      const p = await newPayment(round % 2 ? a : b);
      const signed = signedNotification(a.bff.config, {
        invoice: p.invoice_number,
        amount: p.amount,
        status: 'SUCCESS',
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const res = await fetch((i % 2 ? a : b).bff.url + a.bff.config.notificationPath, {
            method: 'POST',
            headers: signed.headers,
            body: signed.body,
          });
          return { status: res.status, body: (await res.json()) as { duplicate?: boolean } };
        }),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array(10).fill(200),
      );
      assert.equal(results.filter((r) => r.body.duplicate === false).length, 1, 'exactly one delivery was applied');
      const order = (await a.store.getOrder(p.invoice_number))!;
      assert.equal(order.status, 'SUCCESS');
      assert.equal(order.version, 1);
      assert.equal((await a.store.listInbox(p.invoice_number)).length, 1);
      assert.equal((await a.store.listEvents(p.invoice_number)).length, 1);
    }
  });

  test('while the database is unreachable: /readyz 503, notifications 503 and not stored; both recover', async () => {
    proxy = await startTcpProxy(schema!.url);
    const c = await startInstance(proxy.via(schema!.url));
    const p = await newPayment(c);
    assert.equal((await fetch(`${c.bff.url}/readyz`)).status, 200);

    await proxy.cut();
    const ready = await fetch(`${c.bff.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'store_unavailable');
    const requestId = 'outage-' + p.invoice_number;
    const refused = await notifyOn(c, p, 'SUCCESS', requestId);
    assert.ok(refused.status >= 500, `a notification that could not be stored got ${refused.status}`);
    // Nothing was recorded (seen through another instance, which still reaches the database).
    assert.equal((await a.store.getOrder(p.invoice_number))!.status, 'PENDING');
    assert.equal((await a.store.listInbox(p.invoice_number)).length, 0);
    assert.ok(!c.logs.text().includes('postgres://'), 'the database URL never reaches a log line');

    await proxy.restore();
    await waitFor(async () => (await fetch(`${c.bff.url}/readyz`)).status === 200, 5000);
    // DOKU retries the same notification: now it is stored and applied.
    const retried = await notifyOn(c, p, 'SUCCESS', requestId);
    assert.equal(retried.status, 200);
    assert.equal((await a.store.getOrder(p.invoice_number))!.status, 'SUCCESS');
    // C's LISTEN connection came back through the restored proxy.
    await c.bus.whenListening(5000);
    assert.ok(c.bus.listenCount >= 2, `listenCount ${c.bus.listenCount}`);
    assert.match(c.logs.text(), /status bus connection lost; reconnecting/);
  });

  test("a notification in flight when the database goes away: 503, nothing stored; DOKU's retry applies it", async () => {
    const cutter = await startTcpProxy(schema!.url);
    const c = await startInstance(cutter.via(schema!.url));
    // Another session holds the order's row lock, so C's apply is caught mid-transaction.
    const locker = new pg.Client({ connectionString: schema!.url });
    await locker.connect();
    try {
      const p = await newPayment(c);
      const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM orders WHERE invoice_number = $1 FOR UPDATE', [p.invoice_number]);
      const requestId = 'inflight-' + p.invoice_number;
      const inFlight = notifyOn(c, p, 'SUCCESS', requestId);
      await waitFor(async () => {
        const r = await schema!.admin(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [lockerPid],
        );
        return r.rows[0].n > 0;
      }, 5000);
      await cutter.cut();
      await locker.query('ROLLBACK');
      const answered = await inFlight;
      assert.equal(answered.status, 503, 'never a 200 for what was not stored');
      assert.equal((await a.store.getOrder(p.invoice_number))!.status, 'PENDING');
      assert.equal(
        (await a.store.listInbox(p.invoice_number)).length,
        0,
        'the inbox row rolled back with the order change',
      );

      await cutter.restore();
      await waitFor(async () => (await fetch(`${c.bff.url}/readyz`)).status === 200, 5000);
      const retried = await notifyOn(c, p, 'SUCCESS', requestId);
      assert.equal(retried.status, 200);
      assert.equal((await a.store.getOrder(p.invoice_number))!.status, 'SUCCESS');
      assert.equal((await a.store.listInbox(p.invoice_number)).length, 1);
    } finally {
      await locker.end();
      await cutter.close();
    }
  });

  test('after pg_terminate_backend on B listener, B reconnects and its open streams go on', async () => {
    const p = await newPayment(a);
    const s = await streamOn(b, p);
    await s.event(0);
    const pid = b.bus.listenerPid;
    const before = b.bus.listenCount;
    const killed = await schema!.admin('SELECT pg_terminate_backend($1) AS ok', [pid]);
    assert.equal(killed.rows[0].ok, true);
    await waitFor(async () => b.bus.listenCount > before && b.bus.listening, 5000);
    assert.notEqual(b.bus.listenerPid, pid);
    const sent = await notifyOn(a, p, 'SUCCESS');
    assert.equal(sent.status, 200);
    const ev = await s.event(1);
    assert.equal(JSON.parse(ev.data).status, 'SUCCESS');
    await s.ended;
    assert.match(b.logs.text(), /status bus listening again/);
  });
});

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
