// The app factory: builds the BFF from small middleware and thin routers. Nothing starts at import
// time; `bff/server.ts` is one user of this, tests are another, and a Node merchant can mount the
// result inside their own Express app (`app.use('/pay', createApp(...))`).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { IDEMPOTENCY_KEY_HEADER } from '../shared/api.ts';
import type { Config } from './config.ts';
import { demoRouter } from './demo/router.ts';
import { DokuClient } from './doku/client.ts';
import type { EventBus } from './events/bus.ts';
import { ApiError, errorHandler, notFoundHandler } from './http/errors.ts';
import type { Logger } from './log.ts';
import type { Catalog } from './orders/pricing.ts';
import type { ResolveOrder } from './orders/sources.ts';
import { healthRouter } from './routes/health.ts';
import { isRefusedNotification, notificationsRouter } from './routes/notifications.ts';
import { paymentsRouter } from './routes/payments.ts';
import { widgetRouter } from './routes/widget.ts';
import { createSimulator, type Simulator } from './simulator/index.ts';
import type { Store } from './store/types.ts';
import type { WebhookForwarder } from './webhooks/merchant-webhook.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  bus: EventBus;
  log: Logger;
  catalog: Catalog;
  /** Defaults to a client for config.dokuBaseUrl. */
  doku?: DokuClient;
  /** The embedded simulator (DOKU_ENV=simulator); created from config when not given. */
  simulator?: Simulator;
  /** A merchant's own pricing, instead of the catalog and order tokens. */
  resolveOrder?: ResolveOrder;
  /** Where the built widget lives (default: dist/ at the project root). */
  widgetDir?: string;
  /** Forwards final results to the merchant's backend; share it with the Reconciler. */
  webhook?: WebhookForwarder;
  /** Event stream timing and caps (tests shorten the heartbeat; caps default to the configuration's). */
  streams?: { heartbeatMs?: number; maxStreamMs?: number; maxStreams?: number; maxStreamsPerIp?: number };
  /** How long a create waits for the same payment that another request is creating (default 5 s). */
  inProgressWaitMs?: number;
}

const DEFAULT_WIDGET_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

/** Log one line per request: method, path (never the query: it may hold a status token), status, time. */
function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = req.get('x-request-id')?.slice(0, 128) ?? randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // originalUrl: req.path is relative to whichever router last had the request.
      const path = req.originalUrl.split('?')[0];
      log.info(
        { reqId: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}

/**
 * A per-client-IP limit per minute. `counts` (default: every request) says which answers use it up:
 * the library counts a request when it arrives and gives it back once answered otherwise, so only a
 * burst of that many at the same instant could meet the limit with answers that do not count.
 */
function limiter(perMinute: number, counts?: (status: number) => boolean): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(counts && { skipSuccessfulRequests: true, requestWasSuccessful: (_req, res) => !counts(res.statusCode) }),
    handler: (_req, _res, next) => next(new ApiError(429, 'rate_limited', 'Too many requests; please slow down.')),
  });
}

/** Refuse browser calls from origins outside ALLOWED_ORIGINS (CORS alone only hides the answer). */
function originGuard(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin && !allowed.includes(origin)) {
      next(
        new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not allowed to call this API (ALLOWED_ORIGINS).`),
      );
      return;
    }
    next();
  };
}

export function createApp(deps: AppDeps): Express {
  const { config, store, bus, log } = deps;
  const doku =
    deps.doku ??
    new DokuClient({
      baseUrl: config.dokuBaseUrl,
      clientId: config.dokuClientId,
      secretKey: config.dokuSecretKey,
      timeoutMs: config.dokuTimeoutMs,
      log,
    });
  const limits = config.rateLimits;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(accessLog(log));
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Our own pages (simulator, demo) post forms that redirect to merchant pages and LinkAja.
        directives: { 'form-action': null },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );

  app.use(healthRouter(store));
  app.use(widgetRouter(deps.widgetDir ?? DEFAULT_WIDGET_DIR));

  if (config.dokuEnv === 'simulator') {
    const simulator =
      deps.simulator ??
      createSimulator({
        clientId: config.dokuClientId,
        secretKey: config.dokuSecretKey,
        publicBaseUrl: config.simulatorPublicUrl,
        merchantName: config.merchantName,
        allowedUrlOrigins: config.allowedOrigins,
        log: log.child({ component: 'simulator' }),
      });
    app.use('/simulator', simulator.router);
    // The demo shop at `/`: the element used exactly as a merchant would (no special path).
    app.use(demoRouter({ catalog: deps.catalog, config }));
  }

  // DOKU's notifications: raw bytes, no CORS, their own limit (on that one route: a path-less
  // app.use would count every later request against DOKU's budget). Only refused ones count, so a
  // validly signed notification is never throttled (DOKU retries a 429 only ~30 minutes later); an
  // address over the limit is answered 429 before its body is read or verified.
  app.post(config.notificationPath, limiter(limits.refusedNotifications, isRefusedNotification));
  app.use(notificationsRouter({ config, store, log, webhook: deps.webhook }));

  const api = express.Router();
  api.use(
    cors({
      origin: config.allowedOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', IDEMPOTENCY_KEY_HEADER],
      maxAge: 600,
    }),
    originGuard(config.allowedOrigins),
  );
  api.post('/payments', limiter(limits.create));
  api.get('/payments/*splat', limiter(limits.status));
  api.post('/*splat', (req, _res, next) => {
    // Without this, a text/plain body would parse as "no body" and get a puzzling validation error.
    next(
      req.is('application/json')
        ? undefined
        : new ApiError(415, 'invalid_request', 'Send the body as JSON, with Content-Type: application/json.'),
    );
  });
  api.use(express.json({ limit: '16kb', strict: true }));
  api.use(
    paymentsRouter({
      config,
      store,
      bus,
      log,
      doku,
      ...deps.streams,
      inProgressWaitMs: deps.inProgressWaitMs,
      sources: { catalog: deps.catalog, orderTokenSecret: config.orderTokenSecret, resolveOrder: deps.resolveOrder },
    }),
  );
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
