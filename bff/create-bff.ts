// The composition root: one function builds the whole BFF (store and bus, DOKU client, routes,
// reconciliation, webhook delivery) from a validated configuration and starts its background work.
// The CLI server, a merchant's own Express app and the tests all run this same wiring.
import type { Express, Router } from 'express';
import { createApp, type StreamTiming } from './app.ts';
import { checkConfig, ConfigError, type Config } from './config.ts';
import { openDatabase } from './database.ts';
import { DokuClient } from './doku/client.ts';
import type { EventBus } from './events/bus.ts';
import { createLogger, type Logger } from './log.ts';
import type { BffMetrics } from './metrics/metrics.ts';
import { loadCatalog, type ResolveOrder } from './orders/sources.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import type { Simulator, SimulatorOptions, StartedSimulator } from './simulator/index.ts';
import type { Store } from './store/types.ts';
import { webhookFromConfig, type WebhookForwarder, type WebhookTiming } from './webhooks/merchant-webhook.ts';

export interface BffOptions {
  /** The environment to configure from (default `process.env`), through the server's own validated loader. */
  env?: Record<string, string | undefined>;
  /** Price orders in your own code (catalog and order tokens are then not used). */
  resolveOrder?: ResolveOrder;
  /** pino logger (default: one at LOG_LEVEL, secrets redacted). */
  logger?: Logger;
  /** A store opened by you, with the bus that hears its changes (both or neither); you close them. */
  database?: { store: Store; bus: EventBus };
  /** The clock orders, notifications and reconciliation read (tests move time). */
  clock?: () => Date;
}

/** What `createBff` returns: an Express app to listen with or to mount, and how to stop it. */
export interface Bff {
  app: Express;
  config: Config;
  /** Stops reconciliation and webhook delivery, then closes the store (if the BFF opened it). */
  close: () => Promise<void>;
}

/** Also for the tests and the server entry: the parts behind the app. */
export interface BffParts extends Bff {
  store: Store;
  bus: EventBus;
  log: Logger;
  doku: DokuClient;
  reconciler: Reconciler;
  webhook?: WebhookForwarder;
  /** Counted only where they can be read: with METRICS_TOKEN (GET /metrics). */
  metrics?: BffMetrics;
  /** The embedded DOKU (DOKU_ENV=simulator). */
  simulator?: Simulator;
}

/** Knobs the tests and the benchmark turn; not part of the public options. */
export interface AssembleOptions extends BffOptions {
  /** Start reconciliation on its interval (default true; tests call reconciler.tick themselves). */
  reconcile?: { start?: boolean; minAgeMs?: number; clock?: () => Date };
  webhookTiming?: WebhookTiming;
  streams?: StreamTiming;
  /** Replaces the DOKU client (a scripted DOKU). */
  doku?: DokuClient;
  widgetDir?: string;
  /** How long a create waits for the same payment that another request is creating (default 5 s). */
  inProgressWaitMs?: number;
  /** Options of the embedded simulator (DOKU_ENV=simulator). */
  simulator?: Pick<SimulatorOptions, 'redirectReuse'>;
}

/**
 * Build the BFF and start its background work. Mount `app` anywhere
 * (`host.use('/pay', bff.app)` with PUBLIC_URL ending in `/pay`), before any body parser of yours.
 */
export async function createBff(options: BffOptions = {}): Promise<Bff> {
  const { app, config, close } = await assembleBff(options);
  return { app, config, close };
}

export async function assembleBff(options: AssembleOptions = {}): Promise<BffParts> {
  // Pricing in code needs no catalog: the check must know, or it refuses the demo catalog.
  const verdict = checkConfig(options.env ?? process.env, { resolveOrder: Boolean(options.resolveOrder) });
  if (!verdict.config || verdict.problems.length) throw new ConfigError(verdict.problems);
  const { config } = verdict;
  const log = options.logger ?? createLogger({ level: config.logLevel });
  for (const warning of verdict.warnings) log.warn(`config: ${warning}`);
  const clock = options.clock ?? (() => new Date());
  // Read before anything is opened: a bad catalog file stops the start with nothing to clean up.
  const catalog = await loadCatalog(config.catalogFile).catch((err: Error) => {
    throw new ConfigError([err.message]);
  });
  const opened = options.database ? undefined : await openDatabase(config.databaseUrl, { log });
  const { store, bus } = options.database ?? opened!;
  const closers: Array<() => Promise<void> | void> = [];
  try {
    const embedded = config.dokuEnv === 'simulator' ? await embeddedDoku(config, log, options.simulator) : undefined;
    if (embedded) closers.push(() => embedded.close());
    // prom-client is about 4 MB resident: loaded only where /metrics can be read.
    const metrics = config.metricsToken ? new (await import('./metrics/metrics.ts')).BffMetrics() : undefined;
    const doku =
      options.doku ??
      new DokuClient({
        baseUrl: config.dokuBaseUrl ?? embedded!.url,
        clientId: config.dokuClientId,
        secretKey: config.dokuSecretKey,
        timeoutMs: config.dokuTimeoutMs,
        log,
        // The simulator's LinkAja page is plain http on a loopback or demo host; DOKU's never is.
        httpRedirectAllowed: config.dokuEnv === 'simulator',
        metrics,
      });
    const webhook = webhookFromConfig(config, store, log, options.webhookTiming);
    const reconciler = new Reconciler({
      store,
      log,
      doku,
      webhook,
      clock: options.reconcile?.clock ?? clock,
      intervalMs: config.reconcileIntervalMs,
      minAgeMs: options.reconcile?.minAgeMs ?? config.reconcileMinAgeMs,
      concurrency: config.reconcileConcurrency,
      checkLeaseMs: config.reconcileLeaseMs,
      metrics,
    });
    const demo = embedded ? await demoShop(config, catalog) : undefined;
    const app = createApp({
      config,
      store,
      bus,
      log,
      catalog,
      doku,
      webhook,
      clock,
      resolveOrder: options.resolveOrder,
      simulatorRouter: embedded?.simulator.router,
      demoRouter: demo,
      widgetDir: options.widgetDir,
      streams: options.streams,
      inProgressWaitMs: options.inProgressWaitMs,
      metrics,
    });
    if (metrics) {
      const minAgeMs = options.reconcile?.minAgeMs ?? config.reconcileMinAgeMs;
      metrics.collectFrom({
        outbox: store.webhookOutbox,
        reconcileLagSeconds: async () => {
          const now = clock();
          const due = await store.oldestDueCheck({ now, minAgeMs });
          return due === null ? 0 : Math.max(0, now.getTime() - due.getTime()) / 1000;
        },
      });
    }
    webhook?.start();
    if (options.reconcile?.start ?? true) reconciler.start();

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await reconciler.stop();
        await webhook?.close();
        for (const c of closers) await c();
        await opened?.close();
      })());
    return { app, config, close, store, bus, log, doku, reconciler, webhook, metrics, simulator: embedded?.simulator };
  } catch (err) {
    for (const c of closers) await c();
    await opened?.close();
    throw err;
  }
}

/**
 * DOKU_ENV=simulator: the simulator's DOKU API on a loopback port of its own, for this BFF's server-
 * to-server calls (wherever the app is mounted or proxied), and its LinkAja pages in the app under
 * /simulator. Loaded only when used.
 */
async function embeddedDoku(
  config: Config,
  log: Logger,
  extra: AssembleOptions['simulator'] = {},
): Promise<StartedSimulator> {
  const { createSimulator, serveDokuApi } = await import('./simulator/index.ts');
  return serveDokuApi(() =>
    createSimulator({
      clientId: config.dokuClientId,
      secretKey: config.dokuSecretKey,
      publicBaseUrl: config.simulatorPublicUrl,
      merchantName: config.merchantName,
      allowedUrlOrigins: config.allowedOrigins,
      log: log.child({ component: 'simulator' }),
      ...extra,
    }),
  );
}

/** The demo shop at `/` (DOKU_ENV=simulator): the element used exactly as a merchant would. */
async function demoShop(config: Config, catalog: Awaited<ReturnType<typeof loadCatalog>>): Promise<Router> {
  const { demoRouter } = await import('./demo/router.ts');
  return demoRouter({ catalog, config });
}
