// Child processes for the package tests: a free port, waiting for a URL to answer, and stopping a
// process group with a signal while timing its exit.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Spawn in a process group of its own (detached), so the whole group can be checked afterwards. */
export function start(command: string, args: string[], opts: SpawnOptions): Started {
  const child = spawn(command, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => out, exited };
}

/** Poll `url` until it answers 200, or fail after `timeoutMs` with what the process printed. */
export async function waitFor(url: string, started: Started, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    if (res?.ok) return res;
    if (Date.now() > deadline || started.child.exitCode !== null)
      throw new Error(`${url} did not answer within ${timeoutMs} ms. Output:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Send `signal`, and measure how long the process takes to exit (rejects after `timeoutMs`). */
export async function stopWith(started: Started, signal: NodeJS.Signals, timeoutMs: number) {
  const t0 = performance.now();
  started.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    started.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no exit ${timeoutMs} ms after ${signal}:\n${started.output()}`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return { code, ms: performance.now() - t0 };
}

/** Leave nothing behind if a test failed midway. */
export function killGroup(started: Started | undefined): void {
  if (started?.child.pid && groupAlive(started.child.pid)) process.kill(-started.child.pid, 'SIGKILL');
}
