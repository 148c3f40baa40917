// The app factory: the BFF's Express app from small middleware and thin routers, given its parts.
// Nothing starts here; `createBff` (create-bff.ts) builds the parts and calls this.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Router } from 'express';
import type { Config } from './config.ts';
import type { DokuClient } from './doku/client.ts';
import type { EventBus } from './events/bus.ts';
import { accessLog } from './http/access-log.ts';
import { clientAddress } from './http/client-address.ts';
import { answerFirst, directRoutes } from './http/direct-routes.ts';
import { ApiError, errorHandler, notFoundHandler } from './http/errors.ts';
import { RateLimit } from './http/rate-limit.ts';
import { apiSecurityHeaders, pageSecurityHeaders } from './http/security-headers.ts';
import { WidgetCors } from './http/widget-cors.ts';
import type { Logger } from './log.ts';
import type { Catalog } from './orders/pricing.ts';
import type { ResolveOrder } from './orders/sources.ts';
import type { BffMetrics } from './metrics/metrics.ts';
import { healthRouter } from './routes/health.ts';
import { metricsRouter } from './routes/metrics.ts';
import { isRefusedNotification, notificationRoute } from './routes/notifications.ts';
import { openApiRouter } from './routes/openapi.ts';
import { paymentsRouter } from './routes/payments.ts';
import { serverApiRouter } from './routes/server-api.ts';
import { statusRoute } from './routes/status.ts';
import { statusStreamRoute } from './routes/status-stream.ts';
import { widgetRouter } from './routes/widget.ts';
import type { Store } from './store/types.ts';
import type { WebhookForwarder } from './webhooks/merchant-webhook.ts';

/** Event stream timing and caps (tests shorten the heartbeat and the stream's life). */
export interface StreamTiming {
  heartbeatMs?: number;
  maxStreamMs?: number;
  /** Caps (default: the configuration's MAX_STREAMS and MAX_STREAMS_PER_IP). */
  maxStreams?: number;
  maxStreamsPerIp?: number;
}

export interface AppDeps {
  config: Config;
  store: Store;
  bus: EventBus;
  log: Logger;
  catalog: Catalog;
  doku: DokuClient;
  clock: () => Date;
  /** A merchant's own pricing, instead of the catalog and order tokens. */
  resolveOrder?: ResolveOrder;
  /** The embedded simulator's pages and API, mounted at /simulator (DOKU_ENV=simulator). */
  simulatorRouter?: Router;
  /** The demo shop, mounted at / (DOKU_ENV=simulator). */
  demoRouter?: Router;
  /** Where the built widget lives (default: beside the built server, or dist/ of a checkout). */
  widgetDir?: string;
  /** Forwards final results to the merchant's backend; share it with the Reconciler. */
  webhook?: WebhookForwarder;
  streams?: StreamTiming;
  /** How long a create waits for the same payment that another request is creating (default 5 s). */
  inProgressWaitMs?: number;
  /** This BFF's metrics, served at /metrics (given with METRICS_TOKEN). */
  metrics?: BffMetrics;
}

/** dist/ holds the widget bundles: the built server runs from dist/bff/, the sources from bff/. */
function defaultWidgetDir(): string {
  const besideBuild = fileURLToPath(new URL('../', import.meta.url));
  return existsSync(`${besideBuild}linkaja-pay.js`) ? besideBuild : fileURLToPath(new URL('../dist/', import.meta.url));
}

export function createApp(deps: AppDeps): Express {
  const { config, store, bus, log, doku, clock, metrics } = deps;
  const limits = config.rateLimits;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const addressOf = clientAddress(config.trustProxy);
  // The widget-facing API: CORS and the origin guard, per-address limits (reads and streams share one).
  const widgetCors = new WidgetCors(config.allowedOrigins);
  const readLimit = new RateLimit(limits.status, addressOf);
  // The routes that carry the load, answered before Express's routing: the status poll every open page
  // calls, the status streams it holds open, and DOKU's notifications (raw bytes, no CORS, a limit of
  // their own that only refusals use).
  const refusedLimit = new RateLimit(limits.refusedNotifications, addressOf, isRefusedNotification);
  const notification = notificationRoute({ config, store, log, clock, webhook: deps.webhook, metrics, refusedLimit });
  const streams = deps.streams ?? {};
  const statusStream = statusStreamRoute({
    store,
    bus,
    cors: widgetCors,
    readLimit,
    clientAddress: addressOf,
    metrics,
    heartbeatMs: streams.heartbeatMs ?? 15_000,
    maxStreamMs: streams.maxStreamMs ?? 30 * 60_000,
    maxStreamsPerIp: streams.maxStreamsPerIp ?? config.maxStreamsPerIp,
    maxStreams: streams.maxStreams ?? config.maxStreams,
  });
  const direct = [statusRoute({ store, cors: widgetCors, readLimit }), statusStream, notification];
  answerFirst(app, directRoutes(direct, log));

  app.use(accessLog(log));
  app.use(apiSecurityHeaders());

  // The merchant's backend, server to server (no CORS, no Origin): only with MERCHANT_API_KEY.
  if (config.merchantApiKey) {
    const { merchantApiKey: apiKey } = config;
    const webhooksConfigured = deps.webhook !== undefined;
    const api = { apiKey, store, log, doku, clock, webhook: deps.webhook, webhooksConfigured, metrics };
    app.use('/api/v1', serverApiRouter(api));
  }

  const api = express.Router();
  api.use(widgetCors.middleware());
  api.post('/payments', new RateLimit(limits.create, addressOf).middleware());
  api.post(
    '/*splat',
    (req, _res, next) => {
      // Without this, a text/plain body would parse as "no body" and get a puzzling validation error.
      next(
        req.is('application/json')
          ? undefined
          : new ApiError(415, 'invalid_request', 'Send the body as JSON, with Content-Type: application/json.'),
      );
    },
    express.json({ limit: '16kb', strict: true }),
  );
  api.use(
    paymentsRouter({
      config,
      store,
      log,
      doku,
      clock,
      metrics,
      inProgressWaitMs: deps.inProgressWaitMs,
      sources: { catalog: deps.catalog, orderTokenSecret: config.orderTokenSecret, resolveOrder: deps.resolveOrder },
    }),
  );
  app.use('/api', api);

  app.use(healthRouter(store));
  app.use(openApiRouter(config));
  if (config.metricsToken && metrics) app.use(metricsRouter(metrics, config.metricsToken, log));
  app.use(widgetRouter(deps.widgetDir ?? defaultWidgetDir()));
  // The HTML pages: last, so helmet's full set runs only for them (and for answers nothing else took).
  if (deps.simulatorRouter) app.use('/simulator', pageSecurityHeaders(), deps.simulatorRouter);
  if (deps.demoRouter) app.use(pageSecurityHeaders(), deps.demoRouter);

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
