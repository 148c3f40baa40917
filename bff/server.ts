// The standalone BFF: read the environment, open the store, listen, reconcile, shut down cleanly.
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './database.ts';
import { DokuClient } from './doku/client.ts';
import { createHttpServer } from './http/http-server.ts';
import { parseDatabaseUrl } from './lib/database-url.ts';
import { createLogger } from './log.ts';
import { loadCatalog } from './orders/sources.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { webhookFromConfig } from './webhooks/merchant-webhook.ts';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(`config: ${p}`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger({ level: config.logLevel });
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
    concurrency: config.reconcileConcurrency,
    checkLeaseMs: config.reconcileLeaseMs,
  });

  const server = createHttpServer(app);
  server.listen(config.port, () => {
    log.info(
      { port: config.port, dokuEnv: config.dokuEnv, store: parseDatabaseUrl(config.databaseUrl).kind },
      'linkaja-pay BFF listening',
    );
    const where = config.dokuEnv === 'simulator' ? ' (demo shop, DOKU simulator)' : '';
    console.log(`\n  linkaja-pay is running${where}: open ${config.publicUrl}/\n`);
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
