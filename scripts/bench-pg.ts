// Two BFF instances on one fresh PostgreSQL schema, each with its own pool and LISTEN connection,
// as two processes behind a load balancer would have. Used by scripts/bench.ts.
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../bff/database.ts';
import { createLogger } from '../bff/log.ts';
import { startTestBff, type TestBff } from '../test/helpers/bff.ts';
import { freshSchema } from '../test/helpers/pg.ts';

export async function openPgPair(): Promise<{ a: TestBff; b: TestBff; close(): Promise<void> }> {
  const schema = await freshSchema();
  if ('skip' in schema) throw new Error(schema.skip);
  const log = createLogger({ level: 'silent' });
  const channel = `linkaja_status_b${randomBytes(4).toString('hex')}`;
  const parts: { bff: TestBff; close(): Promise<void> }[] = [];
  for (let i = 0; i < 2; i++) {
    const database = await openDatabase(schema.url, { log, statusChannel: channel });
    const bff = await startTestBff({
      store: database.store,
      bus: database.bus,
      log,
      env: { DATABASE_URL: schema.url },
    });
    parts.push({
      bff,
      close: async () => {
        await bff.close();
        await database.close();
      },
    });
  }
  return {
    a: parts[0].bff,
    b: parts[1].bff,
    async close() {
      for (const p of parts) await p.close();
      await schema.drop();
    },
  };
}
