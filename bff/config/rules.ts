// The rules a read configuration must pass: whatever the operator forgets, the BFF is safe. One list,
// used by the start (a refusal stops it) and by `npm run doctor` (which prints every line). Each
// refusal says what to set instead; none echoes a secret.
import { isAbsolute, relative, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { parseDatabaseUrl } from '../lib/database-url.ts';
import { isLoopbackUrl } from '../lib/loopback.ts';
import { SIMULATOR_CLIENT_ID, SIMULATOR_SECRET_KEY } from './doku-env.ts';

/** A read configuration, with what the rules need to know beyond it. */
export interface ConfigView {
  config: Config;
  /** Whether the environment sets a variable (to more than white space), rather than leaving a default. */
  isSet: (variable: string) => boolean;
  /** The merchant prices orders in code: no catalog is needed. */
  resolveOrder: boolean;
  /** The directory a relative SQLite path is opened from. */
  cwd: string;
}

type Rule = (v: ConfigView) => string | undefined;

/** Where a URL points, for a message: scheme, host and port only (never a user or password). */
const originOf = (url: string) => new URL(url).origin;
const live = (v: ConfigView) => v.config.dokuEnv !== 'simulator';

/** Routes of the BFF a notification path must stay clear of (`/linkaja-pay` covers the bundles' names). */
const OWN_ROUTES = ['/api/payments', '/healthz', '/readyz', '/linkaja-pay', '/simulator'];

const refusalRules: Rule[] = [
  // The simulator's keys are public: on a reachable URL anyone could sign a "payment" with them.
  ({ config, isSet }) => {
    if (config.dokuEnv !== 'simulator' || config.simulatorPublic || isLoopbackUrl(config.publicUrl)) return;
    const instead =
      'set DOKU_ENV=sandbox or production with your DOKU credentials, or SIMULATOR_PUBLIC=1 for a public demo';
    const where = `a loopback PUBLIC_URL (${originOf(config.publicUrl)} is not)`;
    return isSet('DOKU_ENV')
      ? `DOKU_ENV=simulator only runs on ${where}: its keys are public, so anyone could fake a payment; ${instead}`
      : `DOKU_ENV is not set, and the simulator (the default) only runs on ${where}: ${instead}`;
  },
  ({ config }) =>
    config.simulatorPublic && config.merchantWebhookUrl
      ? 'MERCHANT_WEBHOOK_URL is refused with SIMULATOR_PUBLIC=1: anyone can fake a payment on a public simulator, ' +
        'and your backend would take it as paid; unset MERCHANT_WEBHOOK_URL (test your webhook with DOKU_ENV=sandbox)'
      : undefined,
  (v) =>
    live(v) && !v.isSet('PUBLIC_URL')
      ? `PUBLIC_URL is required with DOKU_ENV=${v.config.dokuEnv}: set it to the https URL where browsers and DOKU ` +
        'reach this BFF (e.g. https://pay.your-shop.example)'
      : undefined,
  (v) =>
    live(v) && v.isSet('PUBLIC_URL') && !secureOrLoopback(v.config.publicUrl)
      ? `PUBLIC_URL must be https with DOKU_ENV=${v.config.dokuEnv} (http only on a loopback host): customers and ` +
        "DOKU's notifications come to it; serve the BFF over TLS and set PUBLIC_URL=https://..."
      : undefined,
  (v) =>
    live(v) && v.config.dokuBaseUrl !== undefined && !secureOrLoopback(v.config.dokuBaseUrl)
      ? 'DOKU_BASE_URL must be https (http only on a loopback host): requests to DOKU carry your Client-Id and ' +
        "signatures; use DOKU's https URL, or unset DOKU_BASE_URL to use DOKU_ENV's"
      : undefined,
  (v) =>
    live(v) && v.config.dokuClientId === SIMULATOR_CLIENT_ID
      ? "DOKU_CLIENT_ID is the simulator's public Client-Id: set your Client ID from DOKU Back Office"
      : undefined,
  (v) =>
    live(v) && v.config.dokuSecretKey === SIMULATOR_SECRET_KEY
      ? "DOKU_SECRET_KEY is the simulator's public Secret Key, with which anyone can sign: set your Secret Key " +
        'from DOKU Back Office'
      : undefined,
  ({ config }) => {
    // Express matches paths case-insensitively and ignores a trailing slash.
    const path = config.notificationPath.toLowerCase().replace(/(.)\/+$/, '$1');
    const route = OWN_ROUTES.find((r) => path === r || path.startsWith(r === '/linkaja-pay' ? r : `${r}/`));
    return route
      ? `NOTIFICATION_PATH ${config.notificationPath} collides with the BFF's own ${route} route: use another ` +
          'path, such as /api/notifications/doku (the default)'
      : undefined;
  },
  (v) =>
    live(v) && !v.config.catalogFile && !v.config.orderTokenSecret && !v.resolveOrder
      ? 'CATALOG_FILE is not set, and the demo catalog cannot price real payments: set CATALOG_FILE to your ' +
        'catalog ([{"sku","name","price"}]), ORDER_TOKEN_SECRET to price with order tokens signed by your ' +
        'backend, or give resolveOrder when you mount the BFF in your own app'
      : undefined,
];

/** Directories whose files do not outlive a reboot or a cleaner. */
const TEMPORARY_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];

const warningRules: Rule[] = [
  (v) =>
    live(v) && v.isSet('SIMULATOR_PUBLIC')
      ? `SIMULATOR_PUBLIC has no effect with DOKU_ENV=${v.config.dokuEnv}: unset it`
      : undefined,
  (v) =>
    live(v) && !v.config.merchantWebhookUrl
      ? 'MERCHANT_WEBHOOK_URL is not set: your backend hears of a payment only by polling ' +
        'GET /api/payments/:invoice; set MERCHANT_WEBHOOK_URL and MERCHANT_WEBHOOK_SECRET to be told of each result'
      : undefined,
  ({ config, cwd }) => {
    const db = parseDatabaseUrl(config.databaseUrl);
    if (db.kind !== 'sqlite') return;
    if (db.path === ':memory:') {
      return 'DATABASE_URL keeps SQLite in memory: every order is lost when the process stops; use a file path or PostgreSQL';
    }
    const file = resolve(cwd, db.path);
    const dir = TEMPORARY_DIRS.find((d) => {
      const inside = relative(d, file);
      return inside && !inside.startsWith('..') && !isAbsolute(inside);
    });
    if (!dir) return;
    const where = isAbsolute(db.path) ? file : `${file} (${db.path} from the working directory ${cwd})`;
    return (
      `DATABASE_URL keeps SQLite at ${where}, under ${dir}, a temporary directory: a reboot or a cleaner may ` +
      'delete it, and with it every order and the record of who paid; use a lasting path ' +
      '(e.g. sqlite:/var/lib/linkaja-pay/linkaja.db) or PostgreSQL'
    );
  },
  ({ config }) => {
    const path = new URL(config.publicUrl).pathname;
    if (config.trustProxy !== 0 || path === '/' || isLoopbackUrl(config.publicUrl)) return;
    return (
      `PUBLIC_URL has a path (${path}), so a reverse proxy is likely in front, but TRUST_PROXY is 0: rate limits ` +
      "would count every customer as the proxy's one address; set TRUST_PROXY=1 (the number of proxies in front)"
    );
  },
  ({ config }) =>
    config.dokuEnv === 'production' && (config.logLevel === 'debug' || config.logLevel === 'trace')
      ? `LOG_LEVEL=${config.logLevel} with DOKU_ENV=production: more detail than live traffic needs; use info ` +
        '(the default) unless you are chasing a problem'
      : undefined,
];

function secureOrLoopback(url: string): boolean {
  return new URL(url).protocol === 'https:' || isLoopbackUrl(url);
}

const apply = (rules: Rule[], v: ConfigView) => rules.map((rule) => rule(v)).filter((l) => l !== undefined);

/** Every reason to refuse the start. */
export const refusals = (v: ConfigView): string[] => apply(refusalRules, v);

/** Every likely mistake that does not refuse the start. */
export const warnings = (v: ConfigView): string[] => apply(warningRules, v);
