// The one migration runner. Each dialect's schema is what its numbered SQL files say
// (migrations/<dialect>/NNN_name.sql, read at run time beside this module): applied in order, each
// once, recorded in schema_migrations, inside one transaction that holds the dialect's migration lock
// (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite). Append only: never edit a shipped file.
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from '../log.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  file: string;
  sql: string;
}

/** One transaction holding the migration lock, as a dialect gives it to the runner. */
export interface MigrationTx {
  /** Run SQL that may hold several statements. */
  exec(sql: string): Promise<void>;
  /** Versions recorded so far (schema_migrations exists by then). */
  appliedVersions(): Promise<number[]>;
  record(version: number): Promise<void>;
}

/** The dialect's side: create schema_migrations if missing, then run `fn` in one locked transaction. */
export type Exclusively = (fn: (tx: MigrationTx) => Promise<void>) => Promise<void>;

const FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** The dialect's migrations in order; their numbers must run 1, 2, 3... with no gap or repeat. */
export function loadMigrations(dialect: Dialect): Migration[] {
  const dir = new URL(`./migrations/${dialect}/`, import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, i) => {
    const version = Number(FILE.exec(file)?.[1]);
    if (version !== i + 1) throw new Error(`migrations/${dialect}/${file}: expected number ${i + 1} as NNN_name.sql`);
    return { version, file, sql: readFileSync(new URL(file, dir), 'utf8') };
  });
}

/** Bring the schema up to date; returns the versions this call applied. */
export async function runMigrations(dialect: Dialect, exclusively: Exclusively, log?: Logger): Promise<number[]> {
  const migrations = loadMigrations(dialect);
  const applied: number[] = [];
  await exclusively(async (tx) => {
    const latest = Math.max(0, ...(await tx.appliedVersions()));
    for (const m of migrations.filter((x) => x.version > latest)) {
      await tx.exec(m.sql);
      await tx.record(m.version);
      applied.push(m.version);
    }
  });
  for (const version of applied) log?.info({ dialect, migration: version }, 'migration applied');
  return applied;
}
