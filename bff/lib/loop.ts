// One background loop: run, wait, run again. A run that fails is retried after a jittered back-off
// that grows with each failure in a row; kick() runs at once (kicks during a run coalesce into one
// more run); stop() interrupts a wait through an AbortSignal (the run sees it too) and resolves once
// the run in progress has ended. Timers never hold the process open. The reconciler, the merchant
// webhook delivery and the PostgreSQL listener's keep-alive each own one.

export interface Backoff {
  /** The wait after the first failure in a row; doubled per further failure, up to maxMs. */
  minMs: number;
  maxMs: number;
}

/** The wait after `failures` failed runs in a row: between half and all of the doubled wait (jitter). */
export function backoffDelay(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

export interface LoopOptions {
  /** The wait after a run that succeeded. */
  intervalMs: number;
  /** One run; `signal` aborts when the loop stops. A throw counts as a failure. */
  run: (signal: AbortSignal) => Promise<void>;
  /** After failures (default: the interval, unchanged). */
  backoff?: Backoff;
  /** Told of each failed run and how long until the next one. */
  onError?: (err: unknown, retryInMs: number) => void;
  /** Whether the first run comes at start (default) or one interval later. */
  runAtStart?: boolean;
}

export class Loop {
  private readonly stopping = new AbortController();
  private driver?: Promise<void>;
  /** A kick arrived since the current run began: run again without waiting. */
  private kicked = false;
  private wake?: () => void;
  private failures = 0;

  constructor(private readonly opts: LoopOptions) {}

  /** Begin (once; a stopped loop stays stopped). */
  start(): void {
    if (this.driver || this.stopping.signal.aborted) return;
    this.driver = this.drive(this.opts.runAtStart === false ? this.opts.intervalMs : 0);
  }

  /** Run now: at once when waiting, right after the current run otherwise. Starts a loop not started yet. */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    this.kicked = true;
    if (this.driver) this.wake?.();
    else this.driver = this.drive(0);
  }

  /** Stop for good: no wait goes on, no run starts; resolves when the run in progress has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.driver;
  }

  private async drive(firstWaitMs: number): Promise<void> {
    const { signal } = this.stopping;
    let waitMs = firstWaitMs;
    while (!signal.aborted) {
      if (waitMs > 0 && !this.kicked) await this.sleep(waitMs, signal);
      if (signal.aborted) return;
      this.kicked = false;
      try {
        await this.opts.run(signal);
        this.failures = 0;
        waitMs = this.opts.intervalMs;
      } catch (err) {
        if (signal.aborted) return;
        this.failures++;
        const backoff = this.opts.backoff ?? { minMs: this.opts.intervalMs, maxMs: this.opts.intervalMs };
        waitMs = backoffDelay(this.failures, backoff);
        this.opts.onError?.(err, waitMs);
      }
    }
  }

  /** Resolves after `ms`, or at once on stop (abort) or kick (wake). */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}
