// The background loop helper, on real timers with short intervals (each test bounded in time).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, Loop, type LoopOptions } from '../../bff/lib/loop.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once cond() holds; fails the test after timeoutMs. */
async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !cond(); await sleep(5)) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
  }
}

/** A loop whose runs are counted (and timed); `body` is what each run does. */
function counted(opts: Partial<LoopOptions> & { body?: (n: number, signal: AbortSignal) => Promise<void> }) {
  const starts: number[] = [];
  const loop = new Loop({
    intervalMs: 3_600_000,
    ...opts,
    run: async (signal) => {
      starts.push(Date.now());
      await opts.body?.(starts.length, signal);
    },
  });
  return { loop, starts };
}

describe('backoffDelay', () => {
  const backoff = { minMs: 100, maxMs: 1000 };
  it('doubles per failure in a row up to the maximum, between half and all of it', () => {
    const low = () => 0;
    const high = () => 1;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9].map((f) => [backoffDelay(f, backoff, low), backoffDelay(f, backoff, high)]),
      [
        [50, 100],
        [100, 200],
        [200, 400],
        [400, 800],
        [500, 1000],
        [500, 1000],
      ],
    );
  });
  it('spreads instances that failed together (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, backoff)));
    assert.ok(seen.size > 10, `only ${seen.size} distinct delays`);
    for (const d of seen) assert.ok(d >= 200 && d <= 400, String(d));
  });
});

describe('Loop', () => {
  it('runs at start, then once per interval', async () => {
    const { loop, starts } = counted({ intervalMs: 40 });
    loop.start();
    loop.start(); // once is enough
    await until(() => starts.length >= 3);
    await loop.stop();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    assert.ok(
      gaps.every((g) => g >= 35),
      `gaps ${gaps.join(', ')}`,
    );
  });

  it('waits one interval first when asked to', async () => {
    const { loop, starts } = counted({ intervalMs: 60, runAtStart: false });
    const t0 = Date.now();
    loop.start();
    await sleep(20);
    assert.equal(starts.length, 0);
    await until(() => starts.length === 1);
    assert.ok(starts[0] - t0 >= 55, `first run after ${starts[0] - t0} ms`);
    await loop.stop();
  });

  it('stop() interrupts a long wait at once, and nothing runs after it', async () => {
    const { loop, starts } = counted({});
    loop.start();
    await until(() => starts.length === 1);
    const t0 = Date.now();
    await loop.stop();
    assert.ok(Date.now() - t0 < 500, `stop took ${Date.now() - t0} ms (the wait was an hour)`);
    loop.kick();
    loop.start();
    await sleep(30);
    assert.equal(starts.length, 1);
  });

  it('stop() aborts the run in progress through its signal and resolves once that run has ended', async () => {
    let ended = false;
    let aborted = false;
    const { loop, starts } = counted({
      body: async (_n, signal) => {
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            setTimeout(resolve, 30); // the run winds down on its own time
          });
        });
        ended = true;
      },
    });
    loop.start();
    await until(() => starts.length === 1);
    await loop.stop();
    assert.deepEqual([aborted, ended], [true, true]);
  });

  it('kick() runs at once during a wait; kicks during a run coalesce into one more run', async () => {
    let release!: () => void;
    const { loop, starts } = counted({
      body: (n) => (n === 2 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
    });
    loop.start();
    await until(() => starts.length === 1);
    loop.kick(); // during the hour-long wait
    await until(() => starts.length === 2);
    loop.kick();
    loop.kick();
    loop.kick(); // three kicks while run 2 is busy
    release();
    await until(() => starts.length === 3);
    await sleep(50);
    assert.equal(starts.length, 3, 'the three kicks made one run');
    await loop.stop();
  });

  it('kick() starts a loop that was not started', async () => {
    const { loop, starts } = counted({});
    loop.kick();
    await until(() => starts.length === 1);
    await loop.stop();
  });

  it('backs off after failures (growing, told to onError) and returns to the interval after a success', async () => {
    const retries: number[] = [];
    const { loop, starts } = counted({
      intervalMs: 400,
      backoff: { minMs: 20, maxMs: 80 },
      body: async (n) => {
        if (n <= 3) throw new Error(`failure ${n}`);
      },
      onError: (err, retryInMs) => retries.push(retryInMs),
    });
    loop.start();
    await until(() => starts.length === 4);
    assert.equal(retries.length, 3);
    assert.ok(retries[0] >= 10 && retries[0] <= 20, `first retry ${retries[0]}`);
    assert.ok(retries[1] >= 20 && retries[1] <= 40, `second retry ${retries[1]}`);
    assert.ok(retries[2] >= 40 && retries[2] <= 80, `third retry ${retries[2]}`);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    gaps.forEach((g, i) => assert.ok(g >= retries[i] - 2, `run ${i + 2} came ${g} ms after, before its back-off`));
    await sleep(150);
    assert.equal(starts.length, 4, 'after the success, the next run waits the interval');
    await loop.stop();
  });
});
