// What every CLI command runs with: where its output goes (the terminal, or a test's buffer), the
// environment it is configured from (the server's own variables, through the server's loader), and
// the store that DATABASE_URL names, opened for the command and closed after it.
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.ts';
import { DokuClient } from '../doku/client.ts';
import { createLogger, type Logger } from '../log.ts';
import type { OperationsDeps } from '../operations/operations.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';

export interface CliIo {
  env: Record<string, string | undefined>;
  /** One line of the command's result (stdout). */
  out(line: string): void;
  /** One line for the person at the terminal: progress, warnings, errors (stderr). */
  err(line: string): void;
}

/** A refusal said to the operator in one line; the command exits 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export function processIo(): CliIo {
  return {
    env: process.env,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
  };
}

/** Logs go to stderr, at LOG_LEVEL if set, else warnings only: stdout is the command's result. */
export function cliLogger(io: CliIo): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) io.err(line);
      cb();
    },
  });
  return createLogger({ level: io.env.LOG_LEVEL ?? 'warn', destination });
}

export const cliConfig = (io: CliIo): Config => loadConfig(io.env);

/** Run `fn` with the configured store open (its schema brought up to date), then close it. */
export async function withStore<T>(io: CliIo, fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig(io);
  const store = await openStore(config.databaseUrl, { log: cliLogger(io) });
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/**
 * The operations' parts for a command: the store, DOKU as the server reaches it (the embedded
 * simulator's API is the running BFF's /simulator), and webhooks queued for the running BFF to send.
 */
export function operationsDeps(io: CliIo, store: Store, config: Config): OperationsDeps {
  const log = cliLogger(io);
  const doku = new DokuClient({
    baseUrl: config.dokuBaseUrl ?? config.simulatorPublicUrl,
    clientId: config.dokuClientId,
    secretKey: config.dokuSecretKey,
    timeoutMs: config.dokuTimeoutMs,
    log,
  });
  const webhooksConfigured = config.merchantWebhookUrl !== undefined;
  return { store, log, doku, clock: () => new Date(), webhooksConfigured, queueWebhooks: webhooksConfigured };
}
