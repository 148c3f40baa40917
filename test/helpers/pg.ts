// The test PostgreSQL: TEST_DATABASE_URL if set (then it must answer, or the run fails loudly);
// otherwise postgres://postgres@127.0.0.1:5432/test if it answers quickly; otherwise PostgreSQL
// tests skip with a visible banner. Each caller gets its own fresh schema (search_path in the
// connection options), dropped afterwards, so runs and suites never see each other's rows.
import { randomBytes } from 'node:crypto';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { openStore } from '../../bff/store/index.ts';
import type { Store } from '../../bff/store/types.ts';

export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Never print a password that a TEST_DATABASE_URL may carry. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function answers(url: string, timeoutMs: number): Promise<Error | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return err as Error;
  } finally {
    await c.end().catch(() => undefined);
  }
}

let resolved: Promise<{ url: string } | { skip: string }> | undefined;

/** The base URL to test against, or why PostgreSQL tests are skipped. Memoised per process. */
export function resolveTestPg(): Promise<{ url: string } | { skip: string }> {
  resolved ??= (async () => {
    const explicit = process.env.TEST_DATABASE_URL;
    if (explicit) {
      const err = await answers(explicit, 5000);
      if (err)
        throw new Error(
          `TEST_DATABASE_URL is set but PostgreSQL at ${redactUrl(explicit)} does not answer: ${err.message}`,
        );
      return { url: explicit };
    }
    const err = await answers(DEFAULT_TEST_PG_URL, 1500);
    if (!err) return { url: DEFAULT_TEST_PG_URL };
    const skip = `PostgreSQL not reachable at ${DEFAULT_TEST_PG_URL} (${err.message}): set TEST_DATABASE_URL`;
    console.warn(`\n${'!'.repeat(78)}\n!! SKIPPING PostgreSQL tests: ${skip}\n${'!'.repeat(78)}\n`);
    return { skip };
  })();
  return resolved;
}

/** URL with a search_path, so every connection made from it lands in that schema. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TestSchema {
  /** Connection string that lands in the fresh schema. */
  url: string;
  schema: string;
  /** Run SQL as an administrator of the test database (outside the schema's search_path). */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Drop the schema and everything in it. */
  drop(): Promise<void>;
}

/** A fresh, empty schema in the test database, or null (with the skip reason) when PostgreSQL is absent. */
export async function freshSchema(): Promise<TestSchema | { skip: string }> {
  const base = await resolveTestPg();
  if ('skip' in base) return base;
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: base.url, max: 2 });
  admin.on('error', () => undefined);
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    url: withSearchPath(base.url, schema),
    schema,
    admin: (sql, params) => admin.query(sql, params),
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}

export interface TcpProxy {
  port: number;
  /** Connection string like `url` but through the proxy. */
  via(url: string): string;
  /** The database "goes away": live connections are cut and new ones refused. */
  cut(): Promise<void>;
  /** The database is back, on the same port. */
  restore(): Promise<void>;
  /**
   * Live connections go silent without closing (a NAT or load balancer that dropped them): bytes
   * are swallowed both ways. New connections still work.
   */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP forwarder to PostgreSQL that a test can cut and restore, to play an outage. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const server = createNetServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server.listening) server.close(() => resolve());
      else resolve();
    });
  await listen();
  return {
    get port() {
      return port;
    },
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: stop,
    restore: listen,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        for (const s of [client, upstream]) s.on('data', () => undefined); // swallow
      }
      pairs.clear();
    },
    close: stop,
  };
}

/** A store on a fresh schema and a client of its own on that schema (for triggers, system columns). */
export interface StoreOnSchema {
  store: Store;
  admin: pg.Client;
  /** Closes both and drops the schema. */
  close(): Promise<void>;
}

export async function storeOnFreshSchema(): Promise<StoreOnSchema | { skip: string }> {
  const schema = await freshSchema();
  if ('skip' in schema) return schema;
  const store = await openStore(schema.url);
  const admin = new pg.Client({ connectionString: schema.url });
  await admin.connect();
  return {
    store,
    admin,
    async close() {
      await admin.end();
      await store.close();
      await schema.drop();
    },
  };
}
