// The two dialects' schemas: the same numbered migrations, the same tables and columns after them
// (SQLite's pragma table_info against PostgreSQL's information_schema), and databases that earlier
// code created (versions 1 and 2, or 1 to 3, recorded) brought up to date with their rows kept.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { hashReadToken, matchReadToken } from '../../bff/orders/read-tokens.ts';
import { loadMigrations } from '../../bff/store/migrate.ts';
import { openStore } from '../../bff/store/index.ts';
import { freshSchema, type TestSchema } from '../helpers/pg.ts';

type Columns = Record<string, string[]>;

const sorted = (columns: Columns): Columns =>
  Object.fromEntries(
    Object.entries(columns)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([table, names]) => [table, [...names].sort()]),
  );

function sqliteColumns(file: string): Columns {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    return sorted(
      Object.fromEntries(
        tables.map(({ name }) => [
          name,
          (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name),
        ]),
      ),
    );
  } finally {
    db.close();
  }
}

async function postgresColumns(schema: TestSchema): Promise<Columns> {
  const { rows } = await schema.admin(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
    [schema.schema],
  );
  const columns: Columns = {};
  for (const r of rows as { table_name: string; column_name: string }[]) {
    (columns[r.table_name] ??= []).push(r.column_name);
  }
  return sorted(columns);
}

/** An SQLite file as an older release left it: the first `version` migrations applied (open; close it). */
function sqliteAtVersion(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const m of loadMigrations('sqlite').slice(0, version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.version, Date.now());
  }
  return db;
}

/** The same for a PostgreSQL schema. */
async function postgresAtVersion(s: TestSchema, version: number): Promise<void> {
  await s.admin(
    `CREATE TABLE ${s.schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  for (const m of loadMigrations('postgres').slice(0, version)) {
    await s.admin(`SET search_path = ${s.schema}; ${m.sql}; RESET search_path`);
    await s.admin(`INSERT INTO ${s.schema}.schema_migrations (version) VALUES ($1)`, [m.version]);
  }
}

describe('schemas of the two dialects', () => {
  let dir: string;
  let schema: TestSchema | undefined;
  let skip: string | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkaja-schema-'));
    const s = await freshSchema();
    if ('skip' in s) skip = s.skip;
    else schema = s;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  });

  it('have the same migration numbers and names', () => {
    const names = (d: 'sqlite' | 'postgres') => loadMigrations(d).map((m) => m.file);
    assert.deepEqual(names('sqlite'), names('postgres'));
    assert.deepEqual(
      loadMigrations('sqlite').map((m) => m.version),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('have the same tables and columns once migrated', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const file = join(dir, 'fresh.db');
    await (await openStore(`sqlite:${file}`)).close();
    await (await openStore(schema!.url)).close();
    const lite = sqliteColumns(file);
    const pg = await postgresColumns(schema!);
    assert.deepEqual(Object.keys(lite), [
      'notification_inbox',
      'order_events',
      'orders',
      'payment_keys',
      'payment_tokens',
      'schema_migrations',
    ]);
    assert.deepEqual(lite, pg);
  });

  it('an SQLite database made by the previous code (versions 1 and 2) gains seq; its inbox keeps its order', async () => {
    const file = join(dir, 'v2.db');
    const db = sqliteAtVersion(file, 2);
    const insert = db.prepare(
      'INSERT INTO notification_inbox (request_id, invoice_number, headers, raw_body, received_at, outcome) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // Same arrival time: only the insertion order tells them apart. 'z' first, so a sort by id would fail.
    for (const id of ['z-first', 'a-second', 'm-third']) insert.run(id, 'INV-OLD-1', '{}', '{}', 1_000, 'transition');
    db.close();

    const store = await openStore(`sqlite:${file}`);
    try {
      assert.deepEqual(
        (await store.listInbox('INV-OLD-1')).map((e) => e.requestId),
        ['z-first', 'a-second', 'm-third'],
      );
      const out = await store.applyReport({
        invoiceNumber: 'INV-OLD-1',
        report: { status: 'SUCCESS' },
        source: 'notification',
        inbox: {
          requestId: 'b-fourth',
          invoiceNumber: 'INV-OLD-1',
          headers: {},
          rawBody: '{}',
          receivedAt: new Date(1_000),
        },
        now: new Date(2_000),
      });
      assert.deepEqual(out, { kind: 'unknown_invoice' });
      assert.deepEqual(
        (await store.listInbox('INV-OLD-1')).map((e) => e.requestId),
        ['z-first', 'a-second', 'm-third', 'b-fourth'],
      );
      const again = await store.applyReport({
        invoiceNumber: 'INV-OLD-1',
        report: { status: 'SUCCESS' },
        source: 'notification',
        inbox: {
          requestId: 'z-first',
          invoiceNumber: 'INV-OLD-1',
          headers: {},
          rawBody: '{}',
          receivedAt: new Date(1_000),
        },
        now: new Date(2_000),
      });
      assert.deepEqual(again, { kind: 'duplicate' }, 'request_id is still unique after the rebuild');
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    assert.deepEqual(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), [
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
    ]);
    check.close();
  });

  /** Orders as version 3 stored them, and the due time migration 5 must give each (null: never). */
  const legacyOrders = (now: number) => {
    const min = 60_000;
    const o = (
      id: string,
      status: string,
      gateway: string,
      created: number,
      updated: number,
      checked: number | null,
    ) => ({
      values: [id, status, gateway, created, updated, created + 15 * min, checked] as const,
      id,
    });
    return [
      { ...o('INV-P-NEW', 'PENDING', 'accepted', now - 2 * min, now - 2 * min, null), due: now - 2 * min },
      { ...o('INV-P-ASKED', 'PENDING', 'accepted', now - 5 * min, now - 5 * min, now - 10_000), due: now - 10_000 },
      {
        ...o('INV-EXPIRED', 'EXPIRED', 'accepted', now - 60 * min, now - 40 * min, now - 40 * min),
        due: now - 40 * min,
      },
      { ...o('INV-FAILED', 'FAILED', 'accepted', now - 60 * min, now - 50 * min, null), due: now - 50 * min },
      { ...o('INV-REFUSED', 'FAILED', 'rejected', now - 60 * min, now - 60 * min, null), due: null },
      { ...o('INV-OLD', 'EXPIRED', 'accepted', now - 72 * 60 * min, now - 71 * 60 * min, null), due: null },
      { ...o('INV-PAID', 'SUCCESS', 'accepted', now - 60 * min, now - 55 * min, null), due: null },
    ];
  };
  const INSERT_LEGACY = (p: (i: number) => string) =>
    `INSERT INTO orders (invoice_number, amount, status_token_hash, request_id, line_items, return_url, status,
       gateway_state, created_at, updated_at, expires_at, last_checked_at)
     VALUES (${p(1)}, 1000, 'x', ${p(1)}, '[]', 'http://x/', ${[2, 3, 4, 5, 6, 7].map(p).join(', ')})`;

  async function expectDueTimes(url: string, orders: ReturnType<typeof legacyOrders>) {
    const store = await openStore(url);
    try {
      for (const o of orders) {
        const order = (await store.getOrder(o.id))!;
        assert.deepEqual(order.nextCheckAt?.getTime() ?? null, o.due, o.id);
      }
    } finally {
      await store.close();
    }
  }

  it('migration 5 schedules the orders a version-3 SQLite database holds: PENDING ones and 48 h of late checks', async () => {
    const file = join(dir, 'v3.db');
    const db = sqliteAtVersion(file, 3);
    const orders = legacyOrders(Date.now());
    const insert = db.prepare(INSERT_LEGACY((i) => `@p${i}`));
    for (const o of orders) insert.run(Object.fromEntries(o.values.map((v, i) => [`p${i + 1}`, v])));
    db.close();
    await expectDueTimes(`sqlite:${file}`, orders);
  });

  it('migration 5 schedules the orders a version-3 PostgreSQL schema holds', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const s = await freshSchema();
    if ('skip' in s) return t.skip(s.skip);
    try {
      await postgresAtVersion(s, 3);
      const orders = legacyOrders(Date.now());
      for (const o of orders) {
        const [id, status, gateway, ...times] = o.values;
        const dates = times.map((ms) => (ms === null ? null : new Date(ms)));
        await s.admin(INSERT_LEGACY((i) => `$${i}`).replace('INTO orders', `INTO ${s.schema}.orders`), [
          id,
          status,
          gateway,
          ...dates,
        ]);
      }
      await expectDueTimes(s.url, orders);
    } finally {
      await s.drop();
    }
  });

  it('a PostgreSQL schema made by the previous code (versions 1 and 2) is brought up to date', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const s = await freshSchema();
    if ('skip' in s) return t.skip(s.skip);
    try {
      await postgresAtVersion(s, 2);
      await (await openStore(s.url)).close();
      const { rows } = await s.admin(`SELECT version FROM ${s.schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        rows.map((r: { version: number }) => r.version),
        [1, 2, 3, 4, 5, 6],
      );
    } finally {
      await s.drop();
    }
  });

  // An order made before read tokens had their own table: its status token must still read it.
  const OLD_ORDER = `INSERT INTO orders (invoice_number, amount, status, status_token_hash, request_id, line_items,
    return_url, gateway_state, created_at, updated_at, expires_at) VALUES ($1, 25000, 'PENDING', $2, 'req-old',
    '[{"name":"Kopi","price":25000,"quantity":1}]', 'https://shop.example/', 'accepted', $3, $3, $4)`;
  const token = 'an-old-status-token';
  const readsWithItsToken = async (url: string) => {
    const store = await openStore(url);
    try {
      const found = await store.getOrderWithTokens('INV-OLD-2');
      assert.ok(found);
      assert.deepEqual([found.order.reference, found.order.metadata, found.order.customer], [null, {}, null]);
      assert.ok(matchReadToken(token, found.tokens, new Date()), 'the status token it had still reads it');
    } finally {
      await store.close();
    }
  };

  it('an SQLite order made by the previous code (versions 1 to 3) keeps its status token', async () => {
    const file = join(dir, 'v3-token.db');
    const db = sqliteAtVersion(file, 3);
    db.prepare(OLD_ORDER.replace(/\$\d/g, '?')).run('INV-OLD-2', hashReadToken(token), 1_000, 1_000, 2_000);
    db.close();
    await readsWithItsToken(`sqlite:${file}`);
  });

  it('a PostgreSQL order made by the previous code (versions 1 to 3) keeps its status token', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const s = await freshSchema();
    if ('skip' in s) return t.skip(s.skip);
    try {
      await postgresAtVersion(s, 3);
      await s.admin(OLD_ORDER.replace('INTO orders', `INTO ${s.schema}.orders`), [
        'INV-OLD-2',
        hashReadToken(token),
        new Date(1_000),
        new Date(2_000),
      ]);
      await readsWithItsToken(s.url);
    } finally {
      await s.drop();
    }
  });
});
