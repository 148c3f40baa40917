// Test harness: a real BFF on 127.0.0.1:<random port> with the embedded simulator and a real
// SQLite file in a temp dir (or a store the test gives). Used by node tests, wtr and e2e.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../bff/app.ts';
import { loadConfig, type Config } from '../../bff/config.ts';
import { DokuClient } from '../../bff/doku/client.ts';
import { createHttpServer } from '../../bff/http/http-server.ts';
import { openDatabase } from '../../bff/database.ts';
import type { EventBus } from '../../bff/events/bus.ts';
import { createLogger, type Logger } from '../../bff/log.ts';
import { loadCatalog } from '../../bff/orders/sources.ts';
import { Reconciler } from '../../bff/reconcile/reconciler.ts';
import { createSimulator, type Simulator } from '../../bff/simulator/index.ts';
import { webhookFromConfig } from '../../bff/webhooks/merchant-webhook.ts';
import type { Store } from '../../bff/store/types.ts';

export interface TestBff {
  url: string;
  config: Config;
  store: Store;
  bus: EventBus;
  log: Logger;
  app: Express;
  server: Server;
  simulator?: Simulator;
  reconciler: Reconciler;
  close(): Promise<void>;
}

export interface TestBffOptions {
  env?: Record<string, string>;
  /** A store opened by the test, with the bus that hears its changes (both or neither). */
  store?: Store;
  bus?: EventBus;
  log?: Logger;
  /** Extra deps for createApp (resolveOrder, streams, doku...). */
  deps?: Partial<AppDeps>;
  /**
   * Reconciliation as `npm start` runs it (started, on its interval). Otherwise tests call
   * reconciler.tick(now) themselves; `minAgeMs` overrides the configured minimum age; `clock` moves
   * the reconciler's time (e.g. ahead, past orders' expiry) while its loop runs in real time.
   */
  reconcile?: { start?: boolean; minAgeMs?: number; clock?: () => Date };
  /** Merchant webhook timing (backoffMs, pollMs, timeoutMs) when MERCHANT_WEBHOOK_URL is set. */
  webhook?: Parameters<typeof webhookFromConfig>[3];
}

export async function startTestBff(opts: TestBffOptions = {}): Promise<TestBff> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-test-'));
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: url,
    DATABASE_URL: `sqlite:${join(dir, 'test.db')}`,
    LOG_LEVEL: 'silent',
    // Tests send many requests (and hold many streams) from one address; the limit tests set their own.
    RATE_LIMIT_CREATE_PER_MINUTE: '10000',
    RATE_LIMIT_STATUS_PER_MINUTE: '100000',
    RATE_LIMIT_REFUSED_NOTIFICATIONS_PER_MINUTE: '100000',
    MAX_STREAMS_PER_IP: '10000',
    ...opts.env,
  });
  const log = opts.log ?? createLogger({ level: config.logLevel });
  if (!opts.store !== !opts.bus) throw new Error('startTestBff: give a store together with the bus that hears it');
  const database = opts.store && opts.bus ? undefined : await openDatabase(config.databaseUrl, { log });
  const store = opts.store ?? database!.store;
  const bus = opts.bus ?? database!.bus;
  const catalog = await loadCatalog(config.catalogFile);
  const simulator =
    config.dokuEnv === 'simulator'
      ? createSimulator({
          clientId: config.dokuClientId,
          secretKey: config.dokuSecretKey,
          publicBaseUrl: config.simulatorPublicUrl,
          merchantName: config.merchantName,
          allowedUrlOrigins: config.allowedOrigins,
        })
      : undefined;
  const doku = new DokuClient({
    baseUrl: config.dokuBaseUrl,
    clientId: config.dokuClientId,
    secretKey: config.dokuSecretKey,
    timeoutMs: config.dokuTimeoutMs,
    log,
  });
  const webhook = opts.deps?.webhook ?? webhookFromConfig(config, store, log, opts.webhook);
  webhook?.start();
  const app = createApp({
    config,
    store,
    bus,
    log,
    catalog,
    doku,
    simulator,
    webhook,
    ...opts.deps,
  });
  server.on('request', app);
  const reconciler = new Reconciler({
    store,
    log,
    webhook,
    doku: opts.deps?.doku ?? doku,
    intervalMs: config.reconcileIntervalMs,
    minAgeMs: opts.reconcile?.minAgeMs ?? config.reconcileMinAgeMs,
    concurrency: config.reconcileConcurrency,
    checkLeaseMs: config.reconcileLeaseMs,
    clock: opts.reconcile?.clock,
  });
  if (opts.reconcile?.start) reconciler.start();
  return {
    url,
    config,
    store,
    bus,
    log,
    app,
    server,
    simulator,
    reconciler,
    async close() {
      await reconciler.stop();
      await webhook?.close();
      simulator?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
