// `npm start` (`start.mjs serve`) and `npm run doctor` (`start.mjs doctor`): the built `linkaja-pay`
// command, run by this very node process, so SIGTERM and SIGINT reach the server (a wrapper such as tsx
// or `sh -c "a && b"` would keep them from it). Builds first when dist/ is missing or older than the
// sources, so `npm ci && npm start` brings the demo up from a fresh checkout.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ENTRY = 'dist/bff/cli/main.js';
const OUTPUTS = [ENTRY, 'dist/linkaja-pay.js'];
const SOURCES = ['bff', 'shared', 'widget', 'package.json', 'vite.config.ts', 'tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time under a file or folder (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = Math.min(...OUTPUTS.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
const stale = builtAt === 0 || Math.max(...SOURCES.map(newest)) > builtAt;
if (stale) {
  if (existsSync('node_modules/vite')) {
    console.error(
      builtAt === 0 ? 'No build yet: building first.' : 'Sources changed since the last build: building first.',
    );
    // In a process group of its own, so a stop reaches every step of it (npm, sh, vite, tsc).
    // Its output goes to stderr: stdout is the command's (doctor's report).
    const build = spawn('npm', ['run', 'build'], { stdio: ['ignore', 2, 2], detached: true });
    // Stopped while building: stop the whole build too, and leave nothing behind.
    const stopBuild = (signal) => process.kill(-build.pid, signal);
    process.on('SIGTERM', stopBuild).on('SIGINT', stopBuild);
    const code = await new Promise((resolve) => build.on('exit', (status, signal) => resolve(signal ? 1 : status)));
    process.off('SIGTERM', stopBuild).off('SIGINT', stopBuild);
    if (code !== 0) process.exit(code ?? 1);
  } else if (builtAt === 0) {
    console.error('dist/ has no build and the build tools are not installed: run `npm ci && npm run build` first.');
    process.exit(1);
  } else {
    console.warn(
      'Sources changed since the last build, but the build tools are not installed: running the last build.',
    );
  }
}
// The command line reaches the command as it is: `start.mjs serve` is `linkaja-pay serve`.
await import(pathToFileURL(ENTRY).href);
