// The bus that fits the store: in memory for SQLite (one process), LISTEN/NOTIFY for PostgreSQL.
import type { Logger } from '../log.ts';
import { MemoryBus, type EventBus } from './bus.ts';

export async function openBus(databaseUrl: string, log: Logger): Promise<EventBus> {
  if (/^postgres(ql)?:/.test(databaseUrl)) {
    const { PgBus } = await import('./pg-bus.ts');
    return PgBus.open(databaseUrl, log);
  }
  return new MemoryBus();
}
