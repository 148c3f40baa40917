// A real pino logger whose lines are kept in memory, so tests can read what would reach a log.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../bff/log.ts';

export function capturingLogger(level = 'debug'): { log: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const log = createLogger({ level, destination });
  return { log, lines, text: () => lines.join('\n') };
}
