// The standalone BFF: read the environment, open the store, listen, reconcile, shut down cleanly.
import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { checkConfig, type Config } from './config.ts';
import { FAKE_PAYMENTS_LINE, startBanner } from './config/banner.ts';
import { openDatabase } from './database.ts';
import { DokuClient } from './doku/client.ts';
import { parseDatabaseUrl } from './lib/database-url.ts';
import { createLogger } from './log.ts';
import { loadCatalog } from './orders/sources.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { webhookFromConfig } from './webhooks/merchant-webhook.ts';

/** The configuration, or exit 1 with one `config:` line per problem. */
function readConfig(): { config: Config; warnings: string[] } {
  const { config, problems, warnings } = checkConfig(process.env);
  if (!config || problems.length) {
    for (const p of problems) console.error(`config: ${p}`);
    process.exit(1);
  }
  return { config, warnings };
}

async function main(): Promise<void> {
  const { config, warnings } = readConfig();
  const log = createLogger({ level: config.logLevel });
  for (const w of warnings) log.warn(`config: ${w}`);
  const catalog = await loadCatalog(config.catalogFile).catch((err: Error) => {
    console.error(`config: ${err.message}`);
    process.exit(1);
  });
  const database = await openDatabase(config.databaseUrl, { log });
  const { store, bus } = database;
  const doku = new DokuClient({
    baseUrl: config.dokuBaseUrl,
    clientId: config.dokuClientId,
    secretKey: config.dokuSecretKey,
    timeoutMs: config.dokuTimeoutMs,
    log,
    httpRedirectAllowed: config.dokuEnv === 'simulator',
  });
  const webhook = webhookFromConfig(config, store, log);
  const app = createApp({ config, store, bus, log, catalog, doku, webhook });
  const reconciler = new Reconciler({
    store,
    log,
    doku,
    webhook,
    intervalMs: config.reconcileIntervalMs,
    minAgeMs: config.reconcileMinAgeMs,
    checkLeaseMs: config.reconcileLeaseMs,
  });

  const server = createServer(app);
  server.listen(config.port, () => {
    log.info(
      { port: config.port, dokuEnv: config.dokuEnv, store: parseDatabaseUrl(config.databaseUrl).kind },
      'linkaja-pay BFF listening',
    );
    console.log(['', ...startBanner(config).map((line) => `  ${line}`), ''].join('\n'));
    if (config.simulatorPublic) log.warn(FAKE_PAYMENTS_LINE);
    reconciler.start();
    webhook?.start();
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Requests in flight (a notification being stored) finish before the store and bus close; open
    // event streams would hold close() forever, so they are cut after 2 s (they reconnect elsewhere).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    await closed;
    await reconciler.stop();
    await webhook?.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
