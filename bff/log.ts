// pino, with secrets, signatures and phone numbers redacted wherever they appear in a log object.
import type { DestinationStream, Logger, pino as pinoFn } from 'pino';
import { requireCjs } from './lib/require-cjs.ts';

const { pino } = requireCjs('pino') as { pino: typeof pinoFn };

export type { Logger };

/** Paths pino censors; '*' covers one level of nesting (req.headers.signature, order.customer.phone). */
export const REDACT_PATHS = [
  'secretKey',
  'dokuSecretKey',
  'orderTokenSecret',
  'merchantWebhookSecret',
  'merchantApiKey',
  'metricsToken',
  'signature',
  'headers.signature',
  'headers.authorization',
  'headers.Signature',
  'headers.Authorization',
  'req.headers.signature',
  'req.headers.authorization',
  'statusToken',
  'status_token',
  'token',
  'phone',
  'customer.phone',
  '*.phone',
  '*.customer.phone',
  '*.secretKey',
  '*.signature',
  '*.statusToken',
  '*.status_token',
];

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'linkaja-pay' },
    },
    opts.destination,
  );
}
