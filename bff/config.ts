// Every environment variable of DESIGN.md, read once and validated. A bad value stops the start
// with one clear line per problem.
import { z } from 'zod';

export type DokuEnv = 'simulator' | 'sandbox' | 'production';

export const DOKU_BASE_URLS: Record<Exclude<DokuEnv, 'simulator'>, string> = {
  sandbox: 'https://api-sandbox.doku.com',
  production: 'https://api.doku.com',
};

/** The simulator's own credentials: public on purpose, they protect nothing. */
export const SIMULATOR_CLIENT_ID = 'BRN-SIMULATOR-0001';
export const SIMULATOR_SECRET_KEY = 'SK-simulator-not-a-secret';

export interface Config {
  port: number;
  /** No trailing slash. */
  publicUrl: string;
  dokuEnv: DokuEnv;
  /** Server-to-server base URL of DOKU (or of the embedded simulator). No trailing slash. */
  dokuBaseUrl: string;
  dokuClientId: string;
  dokuSecretKey: string;
  dokuTimeoutMs: number;
  databaseUrl: string;
  allowedOrigins: string[];
  /** undefined: the demo catalog shipped in bff/orders/demo-catalog.json. */
  catalogFile?: string;
  orderTokenSecret?: string;
  merchantWebhookUrl?: string;
  merchantWebhookSecret?: string;
  notificationPath: string;
  /** How long an order may stay PENDING before it is asked about once more and marked EXPIRED. */
  orderExpiryMs: number;
  /** How often reconciliation looks for PENDING orders to check. */
  reconcileIntervalMs: number;
  /**
   * How old an order must be before its first Check Status: DOKU asks for about 60 s. The
   * simulator needs no wait, and its expiries (which DOKU never notifies) then show within seconds.
   */
  reconcileMinAgeMs: number;
  logLevel: string;
  /** Number of reverse proxies in front (Express `trust proxy`), for rate limits by client IP. */
  trustProxy: number;
  /** The merchant's name on the simulator's LinkAja page. */
  merchantName: string;
}

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min).max(max);

const Env = z.object({
  PORT: int(0, 65535).default(8080),
  PUBLIC_URL: optionalString.pipe(httpUrl.optional()),
  DOKU_ENV: z
    .enum(['simulator', 'sandbox', 'production'], { error: 'must be simulator, sandbox or production' })
    .default('simulator'),
  DOKU_BASE_URL: optionalString.pipe(httpUrl.optional()),
  DOKU_CLIENT_ID: optionalString,
  DOKU_SECRET_KEY: optionalString,
  DOKU_TIMEOUT_MS: int(100, 120_000).default(30_000),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://...')
    .default('sqlite:./data/linkaja.db'),
  ALLOWED_ORIGINS: optionalString,
  CATALOG_FILE: optionalString,
  ORDER_TOKEN_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  MERCHANT_WEBHOOK_URL: optionalString.pipe(httpUrl.optional()),
  MERCHANT_WEBHOOK_SECRET: optionalString,
  NOTIFICATION_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_\-.]*$/, 'must be a path starting with /')
    .default('/api/notifications/doku'),
  ORDER_EXPIRY_MINUTES: int(1, 24 * 60).default(15),
  RECONCILE_INTERVAL_SECONDS: int(1, 3600).optional(), // 30, or 2 with the simulator
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: int(0, 10).default(0),
  MERCHANT_NAME: z.string().trim().min(1).max(64).default('Warung Nusantara'),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const stripSlash = (u: string) => u.replace(/\/+$/, '');

function parseOrigins(raw: string, problems: string[]): string[] {
  const out: string[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const u = new URL(part);
      if (!/^https?:$/.test(u.protocol) || u.origin !== stripSlash(part)) throw new Error();
      out.push(u.origin);
    } catch {
      problems.push(
        `ALLOWED_ORIGINS: "${part}" is not an origin like https://shop.example (scheme, host, optional port; no path)`,
      );
    }
  }
  return out;
}

/** Read the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const publicUrl = stripSlash(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);

  let clientId = e.DOKU_CLIENT_ID;
  let secretKey = e.DOKU_SECRET_KEY;
  if (e.DOKU_ENV === 'simulator') {
    clientId ??= SIMULATOR_CLIENT_ID;
    secretKey ??= SIMULATOR_SECRET_KEY;
  } else {
    if (!clientId) problems.push(`DOKU_CLIENT_ID is required when DOKU_ENV=${e.DOKU_ENV}`);
    if (!secretKey) problems.push(`DOKU_SECRET_KEY is required when DOKU_ENV=${e.DOKU_ENV}`);
  }
  if (e.MERCHANT_WEBHOOK_URL && !e.MERCHANT_WEBHOOK_SECRET) {
    problems.push('MERCHANT_WEBHOOK_SECRET is required when MERCHANT_WEBHOOK_URL is set');
  }
  // The embedded simulator is called over loopback, straight to this server: a path in PUBLIC_URL
  // belongs to the reverse proxy that strips it, so it is not added here.
  const dokuBaseUrl = stripSlash(
    e.DOKU_BASE_URL ??
      (e.DOKU_ENV === 'simulator' ? `http://127.0.0.1:${e.PORT}/simulator` : DOKU_BASE_URLS[e.DOKU_ENV]),
  );
  // The BFF's own origin is always allowed: its demo shop and simulator pages call it.
  const ownOrigin = new URL(publicUrl).origin;
  const listed = e.ALLOWED_ORIGINS ? parseOrigins(e.ALLOWED_ORIGINS, problems) : [];
  const allowedOrigins = [ownOrigin, ...listed.filter((o) => o !== ownOrigin)];
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: e.PORT,
    publicUrl,
    dokuEnv: e.DOKU_ENV,
    dokuBaseUrl,
    dokuClientId: clientId!,
    dokuSecretKey: secretKey!,
    dokuTimeoutMs: e.DOKU_TIMEOUT_MS,
    databaseUrl: e.DATABASE_URL,
    allowedOrigins,
    catalogFile: e.CATALOG_FILE,
    orderTokenSecret: e.ORDER_TOKEN_SECRET,
    merchantWebhookUrl: e.MERCHANT_WEBHOOK_URL,
    merchantWebhookSecret: e.MERCHANT_WEBHOOK_SECRET,
    notificationPath: e.NOTIFICATION_PATH,
    orderExpiryMs: e.ORDER_EXPIRY_MINUTES * 60_000,
    reconcileIntervalMs: (e.RECONCILE_INTERVAL_SECONDS ?? (e.DOKU_ENV === 'simulator' ? 2 : 30)) * 1000,
    reconcileMinAgeMs: e.DOKU_ENV === 'simulator' ? 0 : 60_000,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    merchantName: e.MERCHANT_NAME,
  };
}

/** The public notification URL DOKU calls; its path is the signature's Request-Target. */
export function notificationUrl(config: Pick<Config, 'publicUrl' | 'notificationPath'>): string {
  return config.publicUrl + config.notificationPath;
}
