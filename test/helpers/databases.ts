// The databases the HTTP suites run against: each BFF on its own SQLite file, or in a fresh
// PostgreSQL schema (skipped, visibly, when PostgreSQL is not reachable).
import { freshSchema } from './pg.ts';

export interface TestDatabase {
  /** Extra environment for startTestBff (none: its own SQLite file). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export const DATABASES: Record<'sqlite' | 'postgres', () => Promise<TestDatabase | { skip: string }>> = {
  sqlite: async () => ({ env: {}, cleanup: async () => undefined }),
  postgres: async () => {
    const s = await freshSchema();
    return 'skip' in s ? s : { env: { DATABASE_URL: s.url }, cleanup: s.drop };
  },
};
