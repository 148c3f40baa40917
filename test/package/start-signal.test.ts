// `npm start` as a platform runs it: SIGTERM (docker stop, systemd, `timeout`) or SIGINT (Ctrl-C) to
// the process npm started must drain the server and exit 0, leaving no process and no listener behind.
// Runs after `npm run build` (npm test's order), so npm start finds the build fresh.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, groupAlive, killGroup, start, stopWith, waitFor, type Started } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..');

describe('npm start and signals', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaja-start-'));
  let running: Started | undefined;
  after(() => {
    killGroup(running);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm start: drained, exit 0, nothing left listening or running`, async () => {
      const port = await freePort();
      const t0 = performance.now();
      running = start('npm', ['start'], {
        cwd: root,
        env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, `${signal}.db`)}` },
      });
      await waitFor(`http://127.0.0.1:${port}/healthz`, running, 30_000);
      const startMs = performance.now() - t0;
      const rssKb = Number(
        /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serverPid(running.child.pid!)}/status`, 'utf8'))?.[1],
      );
      const { code, ms } = await stopWith(running, signal, 10_000);
      assert.equal(code, 0, running.output());
      assert.match(running.output(), new RegExp(`"signal":"${signal}"`), 'the server itself heard the signal');
      assert.equal(groupAlive(running.child.pid!), false, 'a process of npm start is still running');
      const after = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      assert.equal(after, undefined, 'something still answers on the port');
      console.log(
        `  npm start: listening after ${startMs.toFixed(0)} ms, RSS ${(rssKb / 1024).toFixed(1)} MB; ${signal} to exit ${ms.toFixed(0)} ms`,
      );
    });
  }
});

/** npm start execs node (scripts/start.mjs), which runs the built server in its own process: npm's child. */
function serverPid(npmPid: number): number {
  const children = readFileSync(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  assert.equal(children.length, 1, `npm start should have one child (node), not ${children.length}`);
  return Number(children[0]);
}
