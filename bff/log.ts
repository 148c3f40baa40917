// pino, with secrets, signatures, tokens and phone numbers censored wherever they appear in a log object
// (lib/log-redaction.ts).
import type { DestinationStream, Logger, pino as pinoFn } from 'pino';
import { redactForLog } from './lib/log-redaction.ts';
import { requireCjs } from './lib/require-cjs.ts';

const { pino } = requireCjs('pino') as { pino: typeof pinoFn };

export type { Logger };

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  const logger = pino(
    {
      level: opts.level ?? 'info',
      // Secrets, signatures, tokens and phone numbers are censored in every line...
      formatters: { log: redactForLog },
      base: { service: 'linkaja-pay' },
    },
    opts.destination,
  );
  // ...and in every child's bindings (pino's bindings formatter sees only the base). A child is made
  // with Object.create(parent), so every descendant inherits this.
  const proto = Object.getPrototypeOf(logger) as Logger;
  logger.child = function (this: Logger, bindings, options) {
    return proto.child.call(this, redactForLog(bindings), options);
  } as Logger['child'];
  return logger;
}
