// The package's version, from its package.json: two levels up from the sources (bff/lib/), three from
// the build (dist/bff/lib/).
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'linkaja-pay' && pkg.version) return pkg.version;
    } catch {
      /* not there: try the next */
    }
  }
  return '0.0.0';
}
