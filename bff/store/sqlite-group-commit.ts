// Group commit for the SQLite store: the write transactions asked for within one turn of the event
// loop run inside one write transaction (BEGIN IMMEDIATE), each in its own savepoint, and are
// committed together. A commit costs about as much as the rest of a notification's work, so sharing
// it is the difference under load; alone, a transaction waits only for the loop's check phase.
//
// Each caller's promise settles only after the shared COMMIT: nothing is answered as stored before it
// is. A transaction that throws is rolled back to its own savepoint and fails alone; a failed COMMIT
// fails every transaction of the group (none of them was stored). Durability is the store's
// (WAL, synchronous=NORMAL): a committed group survives a crash of the process, not a power cut.
import type Database from 'better-sqlite3';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly group: Database.Transaction<(queue: Pending[]) => Settled[]>;

  constructor(private readonly db: Database.Database) {
    // Called inside another transaction function, better-sqlite3 makes this one a savepoint.
    const own = db.transaction((work: () => unknown) => work());
    this.group = db.transaction((queue: Pending[]) =>
      queue.map((p): Settled => {
        try {
          return { ok: true, value: own(p.work) };
        } catch (error) {
          // An error SQLite answers by ending the whole transaction (disk full, I/O): fail the group.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /** Run `work` (synchronous statements) in the next group; resolves once that group has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit what is queued now (also before the store closes). */
  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    if (queue.length === 0) return;
    let settled: Settled[];
    try {
      settled = this.group.immediate(queue);
    } catch (err) {
      for (const p of queue) p.reject(err);
      return;
    }
    settled.forEach((s, i) => (s.ok ? queue[i].resolve(s.value) : queue[i].reject(s.error)));
  }
}
