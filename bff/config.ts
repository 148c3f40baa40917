// Every environment variable of DESIGN.md, in one zod schema that reads, checks and derives the
// configuration; `Config` is what it outputs. Then the rules of config/rules.ts refuse what is unsafe
// and warn of what is likely wrong. A bad value stops the start with one clear line per problem, and
// a problem never echoes a secret.
import { z } from 'zod';
import { DOKU_BASE_URLS, SIMULATOR_CLIENT_ID, SIMULATOR_SECRET_KEY } from './config/doku-env.ts';
import { refusals, warnings } from './config/rules.ts';
import { databaseUrlProblem } from './lib/database-url.ts';
import { MIN_SECRET_LENGTH } from './lib/secrets.ts';
import { DEMO_CATALOG_FILE } from './orders/sources.ts';
import { webhookSecretProblem } from './webhooks/standard-webhooks.ts';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const secret = z
  .string()
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters (generate one: openssl rand -hex 32)`);
const int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min).max(max);
const stripSlash = (u: string) => u.replace(/\/+$/, '');

/** A comma-separated list of origins (scheme, host, optional port), each checked. */
const origins = z.string().transform((raw, ctx) => {
  const out: string[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const url = URL.canParse(part) ? new URL(part) : undefined;
    if (url && /^https?:$/.test(url.protocol) && url.origin === stripSlash(part)) out.push(url.origin);
    else {
      ctx.issues.push({
        code: 'custom',
        input: part,
        message: `"${part}" is not an origin like https://shop.example (scheme, host, optional port; no path)`,
      });
    }
  }
  return out;
});

const Environment = z
  .object({
    PORT: int(0, 65535).default(8080),
    PUBLIC_URL: optionalString.pipe(
      httpUrl
        // The notification and return URLs are PUBLIC_URL + a path: a query or fragment would break them.
        .refine(
          (u) => !/[?#]/.test(u),
          'must not have a query or fragment: give the scheme, host and an optional path (e.g. https://your-shop.example/pay)',
        )
        .optional(),
    ),
    DOKU_ENV: z
      .enum(['simulator', 'sandbox', 'production'], { error: 'must be simulator, sandbox or production' })
      .default('simulator'),
    DOKU_BASE_URL: optionalString.pipe(httpUrl.optional()),
    DOKU_CLIENT_ID: optionalString,
    DOKU_SECRET_KEY: optionalString,
    DOKU_TIMEOUT_MS: int(100, 120_000).default(30_000),
    DATABASE_URL: z
      .string()
      .superRefine((url, ctx) => {
        const problem = databaseUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('sqlite:./data/linkaja.db'),
    ALLOWED_ORIGINS: optionalString.pipe(origins.optional()),
    CATALOG_FILE: optionalString,
    ORDER_TOKEN_SECRET: optionalString.pipe(secret.optional()),
    MERCHANT_WEBHOOK_URL: optionalString.pipe(httpUrl.optional()),
    MERCHANT_WEBHOOK_SECRET: optionalString.superRefine((secret, ctx) => {
      const problem = secret === undefined ? null : webhookSecretProblem(secret);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** Enables the server API (/api/v1) for the merchant's backend. */
    MERCHANT_API_KEY: optionalString.pipe(secret.optional()),
    /** Enables GET /metrics. */
    METRICS_TOKEN: optionalString.pipe(secret.optional()),
    SIMULATOR_PUBLIC: optionalString.pipe(
      z.enum(['0', '1'], { error: 'must be 1 (the simulator on a public demo server) or unset' }).optional(),
    ),
    NOTIFICATION_PATH: z
      .string()
      .regex(/^\/[A-Za-z0-9/_\-.]*$/, 'must be a path starting with /')
      .default('/api/notifications/doku'),
    ORDER_EXPIRY_MINUTES: int(1, 24 * 60).default(15),
    RECONCILE_INTERVAL_SECONDS: int(1, 3600).optional(),
    RECONCILE_CONCURRENCY: int(1, 64).default(8),
    RATE_LIMIT_CREATE_PER_MINUTE: int(1, 1_000_000).default(30),
    RATE_LIMIT_STATUS_PER_MINUTE: int(1, 1_000_000).default(600),
    RATE_LIMIT_REFUSED_NOTIFICATIONS_PER_MINUTE: int(1, 1_000_000).default(600),
    MAX_STREAMS_PER_IP: int(1, 1_000_000).default(50),
    MAX_STREAMS: int(0, 1_000_000).default(20_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: int(0, 10).default(0),
    MERCHANT_NAME: z.string().trim().min(1).max(64).default('Warung Nusantara'),
  })
  // Checks across variables, and every value derived from others: here and nowhere else.
  .transform((e, ctx) => {
    const required = (variable: string, when: string) =>
      ctx.issues.push({ code: 'custom', path: [variable], message: `is required when ${when}`, input: undefined });
    const simulator = e.DOKU_ENV === 'simulator';
    const dokuClientId = e.DOKU_CLIENT_ID ?? (simulator ? SIMULATOR_CLIENT_ID : undefined);
    const dokuSecretKey = e.DOKU_SECRET_KEY ?? (simulator ? SIMULATOR_SECRET_KEY : undefined);
    if (!dokuClientId) required('DOKU_CLIENT_ID', `DOKU_ENV=${e.DOKU_ENV}`);
    if (!dokuSecretKey) required('DOKU_SECRET_KEY', `DOKU_ENV=${e.DOKU_ENV}`);
    if (e.MERCHANT_WEBHOOK_URL && !e.MERCHANT_WEBHOOK_SECRET)
      required('MERCHANT_WEBHOOK_SECRET', 'MERCHANT_WEBHOOK_URL is set');
    if (!dokuClientId || !dokuSecretKey) return z.NEVER;

    const publicUrl = stripSlash(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);
    // The BFF's own origin is always allowed: its demo shop and simulator pages call it.
    const ownOrigin = new URL(publicUrl).origin;
    return {
      port: e.PORT,
      /** How browsers and DOKU reach this BFF. No trailing slash. */
      publicUrl,
      dokuEnv: e.DOKU_ENV,
      /** SIMULATOR_PUBLIC=1: a shared demo server runs the simulator on a public URL; its payments are fake. */
      simulatorPublic: simulator && e.SIMULATOR_PUBLIC === '1',
      /** Where browsers reach the embedded simulator's pages (DOKU_ENV=simulator). */
      simulatorPublicUrl: `${publicUrl}/simulator`,
      /**
       * Server-to-server base URL of DOKU. No trailing slash. Undefined with DOKU_ENV=simulator: the
       * embedded simulator's API then listens on a loopback port of its own, found at start-up, so it
       * works wherever the app is mounted or proxied.
       */
      dokuBaseUrl: e.DOKU_BASE_URL
        ? stripSlash(e.DOKU_BASE_URL)
        : e.DOKU_ENV === 'simulator'
          ? undefined
          : DOKU_BASE_URLS[e.DOKU_ENV],
      dokuClientId,
      dokuSecretKey,
      dokuTimeoutMs: e.DOKU_TIMEOUT_MS,
      /** How long reconciliation holds an order it is asking about: longer than a Check Status can take. */
      reconcileLeaseMs: e.DOKU_TIMEOUT_MS + 5_000,
      databaseUrl: e.DATABASE_URL,
      allowedOrigins: [ownOrigin, ...(e.ALLOWED_ORIGINS ?? []).filter((o) => o !== ownOrigin)],
      /**
       * The catalog that prices SKUs; the simulator's default is the demo catalog. undefined: no SKU
       * pricing (orders come from order tokens or the merchant's resolveOrder).
       */
      catalogFile: e.CATALOG_FILE ?? (simulator ? DEMO_CATALOG_FILE : undefined),
      orderTokenSecret: e.ORDER_TOKEN_SECRET,
      merchantWebhookUrl: e.MERCHANT_WEBHOOK_URL,
      merchantWebhookSecret: e.MERCHANT_WEBHOOK_SECRET,
      /** Bearer key of the server API (/api/v1); without it those routes do not exist. */
      merchantApiKey: e.MERCHANT_API_KEY,
      /** Bearer token of GET /metrics; without it the route does not exist. */
      metricsToken: e.METRICS_TOKEN,
      notificationPath: e.NOTIFICATION_PATH,
      /** The public notification URL DOKU calls; its path is the signature's Request-Target. */
      notificationUrl: publicUrl + e.NOTIFICATION_PATH,
      /** How long an order may stay PENDING before it is asked about once more and marked EXPIRED. */
      orderExpiryMs: e.ORDER_EXPIRY_MINUTES * 60_000,
      /** How often reconciliation looks for PENDING orders to check: 30 s, or 2 s with the simulator. */
      reconcileIntervalMs: (e.RECONCILE_INTERVAL_SECONDS ?? (simulator ? 2 : 30)) * 1000,
      /**
       * How old an order must be before its first Check Status: DOKU asks for about 60 s. The
       * simulator needs no wait, and its expiries (which DOKU never notifies) then show within seconds.
       */
      reconcileMinAgeMs: simulator ? 0 : 60_000,
      /** Check Status calls reconciliation has in flight at once. */
      reconcileConcurrency: e.RECONCILE_CONCURRENCY,
      /** Requests per minute per client IP; notifications count only when refused (a signed one never does). */
      rateLimits: {
        create: e.RATE_LIMIT_CREATE_PER_MINUTE,
        status: e.RATE_LIMIT_STATUS_PER_MINUTE,
        refusedNotifications: e.RATE_LIMIT_REFUSED_NOTIFICATIONS_PER_MINUTE,
      },
      /** Open status streams per client IP (429 beyond), and in all (503 beyond; 0: none, the element polls). */
      maxStreamsPerIp: e.MAX_STREAMS_PER_IP,
      maxStreams: e.MAX_STREAMS,
      logLevel: e.LOG_LEVEL,
      /** Number of reverse proxies in front (Express `trust proxy`), for rate limits by client IP. */
      trustProxy: e.TRUST_PROXY,
      /** The merchant's name on the simulator's LinkAja page. */
      merchantName: e.MERCHANT_NAME,
    };
  });

export type Config = z.output<typeof Environment>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** What the environment does not say, and the rules need. */
export interface ConfigContext {
  /** The merchant prices orders in code (resolveOrder, when mounting the BFF): no catalog is needed. */
  resolveOrder?: boolean;
  /** Where a relative SQLite path is opened from (default: the process's working directory). */
  cwd?: string;
}

export interface ConfigVerdict {
  /** Absent when a value could not even be read (the problems say which). */
  config?: Config;
  /** Each one refuses the start: `config: <problem>`. */
  problems: string[];
  /** Likely mistakes that do not refuse the start. */
  warnings: string[];
}

/** Read an environment and judge it, as the start and `npm run doctor` both do. */
export function checkConfig(
  env: Record<string, string | undefined> = process.env,
  context: ConfigContext = {},
): ConfigVerdict {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
    return { problems, warnings: [] };
  }
  const view = {
    config: parsed.data,
    isSet: (variable: string) => Boolean(env[variable]?.trim()),
    resolveOrder: context.resolveOrder ?? false,
    cwd: context.cwd ?? process.cwd(),
  };
  return { config: parsed.data, problems: refusals(view), warnings: warnings(view) };
}

/** Read the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env, context: ConfigContext = {}): Config {
  const { config, problems } = checkConfig(env, context);
  if (!config || problems.length) throw new ConfigError(problems);
  return config;
}
