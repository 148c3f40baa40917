// The store announces a status change with pg_notify inside the transaction that commits it:
// a change whose transaction rolls back is never heard, and a committed change reaches another
// instance's stream even when the committing process does nothing after COMMIT (no bus, no service,
// its pool closed at once). The committing instance hears its own change once, through its listener.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { openDatabase, type Database } from '../../bff/database.ts';
import { hashReadToken } from '../../bff/orders/read-tokens.ts';
import type { NewOrder, StatusChange } from '../../bff/orders/order.ts';
import { openStore } from '../../bff/store/index.ts';
import { startTestBff, type TestBff } from '../helpers/bff.ts';
import { capturingLogger } from '../helpers/log-capture.ts';
import { freshSchema, type TestSchema } from '../helpers/pg.ts';
import { openStream } from '../helpers/sse.ts';

describe('status changes announced inside their transaction (PostgreSQL)', () => {
  let schema: TestSchema | undefined;
  let skip: string | undefined;
  // NOTIFY is database-wide: this run's instances talk on their own channel.
  const channel = `linkaja_status_n${randomBytes(4).toString('hex')}`;
  let b: { database: Database; bff: TestBff } | undefined;

  before(async () => {
    const s = await freshSchema();
    if ('skip' in s) {
      skip = s.skip;
      return;
    }
    schema = s;
    const log = capturingLogger('warn').log;
    const database = await openDatabase(s.url, { log, statusChannel: channel });
    // Heartbeats an hour apart: nothing but the announcement can bring a change to B's streams.
    const bff = await startTestBff({
      store: database.store,
      bus: database.bus,
      log,
      env: { DATABASE_URL: s.url },
      deps: { streams: { heartbeatMs: 3_600_000 } },
    });
    b = { database, bff };
  });
  after(async () => {
    await b?.bff.close();
    await b?.database.close();
    await schema?.drop();
  });
  const test = (title: string, fn: () => Promise<void>): void =>
    void it(title, { timeout: 20_000 }, async (t: TestContext) => {
      if (skip) return t.skip(skip);
      await fn();
    });

  /** A PENDING order inserted straight into the database, and the token to follow it with. */
  async function pendingOrder(): Promise<{ invoice: string; token: string }> {
    const invoice = `INV-TX-${randomBytes(5).toString('hex').toUpperCase()}`;
    const token = randomBytes(16).toString('hex');
    const order: NewOrder = {
      invoiceNumber: invoice,
      amount: 18_000,
      statusTokenHash: hashReadToken(token),
      requestId: `req-${invoice}`,
      lineItems: [{ name: 'Es Kopi Susu', price: 18_000, quantity: 1 }],
      returnUrl: 'http://127.0.0.1/',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 15 * 60_000),
    };
    await b!.database.store.insertOrder(order);
    return { invoice, token };
  }
  const success = (invoice: string) => ({
    invoiceNumber: invoice,
    report: { status: 'SUCCESS', amount: 18_000 },
    source: 'check_status' as const,
    now: new Date(),
  });
  /** Everything B's bus delivers for an invoice. */
  const heardOnB = (invoice: string) => {
    const heard: StatusChange[] = [];
    const off = b!.database.bus.subscribe(invoice, (c) => heard.push(c));
    return { heard, off };
  };
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('a committed change reaches another instance even when the committing process stops at COMMIT', async () => {
    const { invoice, token } = await pendingOrder();
    const stream = await openStream(`${b!.bff.url}/api/payments/${invoice}/events?token=${token}`);
    assert.equal(JSON.parse((await stream.event(0)).data).status, 'PENDING');

    // Instance A: a bare store, no bus and no service after it; gone the moment its commit returns.
    const a = await openStore(schema!.url, { statusChannel: channel });
    const out = await a.applyReport(success(invoice));
    await a.close();
    assert.equal(out.kind === 'applied' && out.verdict.kind, 'transition');

    const ev = await stream.event(1, 3000);
    assert.deepEqual([ev.id, JSON.parse(ev.data).status], ['1', 'SUCCESS']);
    await stream.ended;
  });

  test("DOKU's refusal recorded by another instance is announced the same way", async () => {
    const { invoice } = await pendingOrder();
    const { heard, off } = heardOnB(invoice);
    const a = await openStore(schema!.url, { statusChannel: channel });
    await a.markRejected(invoice, new Date());
    await a.close();
    for (let i = 0; i < 100 && heard.length === 0; i++) await settle(20);
    off();
    assert.deepEqual(
      heard.map((c) => [c.status, c.version]),
      [['FAILED', 1]],
    );
  });

  test('a change whose transaction rolls back at COMMIT is never heard; its committed retry is heard once', async () => {
    const { invoice } = await pendingOrder();
    const { heard, off } = heardOnB(invoice);
    // A deferred constraint trigger fails the COMMIT itself: every statement of the transaction,
    // pg_notify included, has run by then.
    await schema!.admin(
      `CREATE FUNCTION ${schema!.schema}.refuse_commit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
       CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON ${schema!.schema}.order_events
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${schema!.schema}.refuse_commit();`,
    );
    const a = await openStore(schema!.url, { statusChannel: channel });
    try {
      await assert.rejects(a.applyReport(success(invoice)), /refused at commit/);
      await settle(300);
      assert.equal(heard.length, 0, 'a rolled-back change was announced');
      assert.equal((await a.getOrder(invoice))!.status, 'PENDING');

      await schema!.admin(`DROP TRIGGER refuse_commit ON ${schema!.schema}.order_events`);
      await a.applyReport(success(invoice));
      for (let i = 0; i < 100 && heard.length === 0; i++) await settle(20);
      await settle(200); // a second copy would arrive by now
      assert.deepEqual(
        heard.map((c) => [c.status, c.version]),
        [['SUCCESS', 1]],
      );
    } finally {
      off();
      await a.close();
    }
  });

  test('the instance that committed a change hears it once, through its own listener', async () => {
    const { invoice } = await pendingOrder();
    const { heard, off } = heardOnB(invoice);
    await b!.database.store.applyReport(success(invoice));
    for (let i = 0; i < 100 && heard.length === 0; i++) await settle(20);
    await settle(200);
    off();
    assert.deepEqual(
      heard.map((c) => [c.status, c.version]),
      [['SUCCESS', 1]],
    );
  });
});
