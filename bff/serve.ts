// The standalone server (`npm start`, `linkaja-pay serve`, the container): the configuration from
// the environment, the BFF from createBff's wiring, a listening socket, and a clean drain on SIGTERM
// and SIGINT (requests in flight finish, then the background work stops and the store closes).
import type { AddressInfo } from 'node:net';
import { ConfigError } from './config.ts';
import { FAKE_PAYMENTS_LINE, startBanner } from './config/banner.ts';
import { assembleBff, type BffParts } from './create-bff.ts';
import { createHttpServer } from './http/http-server.ts';
import { parseDatabaseUrl } from './lib/database-url.ts';

/** How long open event streams may hold a shutdown: they reconnect to another instance. */
const STREAM_DRAIN_MS = 2000;

/** Start the server; resolves once it listens. A bad configuration prints one line per problem and exits 1. */
export async function serve(env: Record<string, string | undefined> = process.env): Promise<void> {
  let bff: BffParts;
  try {
    bff = await assembleBff({ env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(`config: ${p}`);
    process.exit(1);
  }
  const { config, log } = bff;
  const server = createHttpServer(bff.app);
  // The simulator's keys are public: unless it is a declared public demo, only this machine may reach it
  // (anyone else could sign a "paid" notification with them).
  const host = config.dokuEnv === 'simulator' && !config.simulatorPublic ? '127.0.0.1' : undefined;
  await new Promise<void>((resolve) => server.listen(config.port, host, resolve));
  const { port } = server.address() as AddressInfo;
  log.info(
    { port, dokuEnv: config.dokuEnv, store: parseDatabaseUrl(config.databaseUrl).kind },
    'linkaja-pay BFF listening',
  );
  console.log(['', ...startBanner(config).map((line) => `  ${line}`), ''].join('\n'));
  if (config.simulatorPublic) log.warn(FAKE_PAYMENTS_LINE);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), STREAM_DRAIN_MS).unref();
    await closed;
    await bff.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
