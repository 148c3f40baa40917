// DATABASE_URL, parsed in one place for the configuration check and the openers:
//   sqlite:PATH                          embedded, one process (the directory is created)
//   postgres://... or postgresql://...   shared by several BFF instances
// A problem never echoes the URL: it may hold a password.
export type DatabaseUrl = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** What is wrong with a DATABASE_URL (to follow the variable's name), or null. */
export function databaseUrlProblem(url: string): string | null {
  if (/^postgres(ql)?:\/\/./.test(url)) return null;
  if (url === 'sqlite:') return 'sqlite: needs a file path (sqlite:./data/linkaja.db)';
  if (url.startsWith('sqlite:')) return null;
  return 'must be sqlite:PATH or postgres://...';
}

export function parseDatabaseUrl(url: string): DatabaseUrl {
  const problem = databaseUrlProblem(url);
  if (problem) throw new Error(`DATABASE_URL ${problem}`);
  return url.startsWith('sqlite:') ? { kind: 'sqlite', path: url.slice('sqlite:'.length) } : { kind: 'postgres', url };
}
