// `npm run doctor`: the configuration an environment gives, judged by the very rules the start
// applies, printed without starting anything (no database, no network). Secrets show at most their
// last 4 characters.
import { checkConfig, type Config, type ConfigContext } from '../config.ts';
import { DEMO_CATALOG_FILE, loadCatalog } from '../orders/sources.ts';

/** Where the report goes: process.stdout, or anything else that takes text. */
export interface TextOut {
  write(text: string): unknown;
}

/** A secret as printed: its last 4 characters tell two apart, shown from 16 characters on (a quarter at most). */
export function maskSecret(secret: string): string {
  return `****${secret.length >= 16 ? secret.slice(-4) : ''} (${secret.length} characters)`;
}

/** A URL as printed: no password, and no query value (either may be a credential). */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return '****';
  const u = new URL(url);
  if (!u.password && !u.search) return url; // as given (a re-serialised URL may gain a trailing slash)
  if (u.password) u.password = '****';
  for (const key of new Set(u.searchParams.keys())) u.searchParams.set(key, '****');
  return u.toString();
}

const orNot = (value: string | undefined, show: (v: string) => string, absent: string) =>
  value === undefined ? absent : show(value);

/** The resolved configuration by variable name; `catalog` says what CATALOG_FILE holds, if read. */
function rows(config: Config, catalog: string): Array<[string, string]> {
  return [
    ['PORT', String(config.port)],
    ['PUBLIC_URL', maskUrl(config.publicUrl)],
    ['DOKU_ENV', config.dokuEnv + (config.simulatorPublic ? ' (SIMULATOR_PUBLIC=1: payments are fake)' : '')],
    ['DOKU_BASE_URL', config.dokuBaseUrl ? maskUrl(config.dokuBaseUrl) : 'the embedded simulator (a loopback port)'],
    ['DOKU_CLIENT_ID', config.dokuClientId],
    ['DOKU_SECRET_KEY', maskSecret(config.dokuSecretKey)],
    ['DOKU_TIMEOUT_MS', String(config.dokuTimeoutMs)],
    ['DATABASE_URL', maskUrl(config.databaseUrl)],
    ['ALLOWED_ORIGINS', config.allowedOrigins.join(', ')],
    ['CATALOG_FILE', catalog],
    ['ORDER_TOKEN_SECRET', orNot(config.orderTokenSecret, maskSecret, 'not set (no order tokens)')],
    ['MERCHANT_WEBHOOK_URL', orNot(config.merchantWebhookUrl, maskUrl, 'not set (no webhooks)')],
    ['MERCHANT_WEBHOOK_SECRET', orNot(config.merchantWebhookSecret, maskSecret, 'not set')],
    ['NOTIFICATION_PATH', `${config.notificationPath} (DOKU's Notification URL: ${maskUrl(config.notificationUrl)})`],
    ['ORDER_EXPIRY_MINUTES', String(config.orderExpiryMs / 60_000)],
    ['RECONCILE_INTERVAL_SECONDS', String(config.reconcileIntervalMs / 1000)],
    ['TRUST_PROXY', String(config.trustProxy)],
    ['LOG_LEVEL', config.logLevel],
    ['MERCHANT_NAME', config.merchantName],
  ];
}

/** Print the report; returns the exit code: 1 when the BFF would refuse to start, else 0. */
export async function runDoctor(
  env: Record<string, string | undefined>,
  out: TextOut,
  context: ConfigContext = {},
): Promise<number> {
  const { config, problems, warnings } = checkConfig(env, context);
  const print = (line = '') => out.write(`${line}\n`);
  print('linkaja-pay doctor: the configuration as the start reads it (secrets masked)');
  print();
  if (config) {
    // The catalog is read as the start reads it: a file that is missing or malformed refuses the start.
    let catalog = 'none (SKUs are not priced)';
    if (config.catalogFile !== undefined) {
      const file = config.catalogFile === DEMO_CATALOG_FILE ? 'the demo catalog' : config.catalogFile;
      catalog = await loadCatalog(config.catalogFile).then(
        (c) => `${file} (${c.size} products)`,
        (err: Error) => {
          problems.push(err.message);
          return `${file} (unreadable)`;
        },
      );
    }
    const table = rows(config, catalog);
    const width = Math.max(...table.map(([name]) => name.length));
    for (const [name, value] of table) print(`  ${name.padEnd(width)}  ${value}`);
  } else {
    print('  (not resolved: a value below cannot be read)');
  }
  print();
  if (problems.length) {
    print('Problems (the BFF refuses to start):');
    for (const p of problems) print(`  config: ${p}`);
  }
  if (warnings.length) {
    print('Warnings:');
    for (const w of warnings) print(`  warning: ${w}`);
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const verdict = problems.length ? 'the BFF would refuse to start' : 'the BFF would start';
  print(`${count(problems.length, 'problem')}, ${count(warnings.length, 'warning')}: ${verdict}.`);
  return problems.length ? 1 : 0;
}
