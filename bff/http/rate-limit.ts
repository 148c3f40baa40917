// Per-client-address limits per minute: express-rate-limit's MemoryStore and address key, behind a thin
// limit of our own. The library's middleware (its per-request option handling, validations, five
// awaits and a Date copy) was 8% of a status poll's CPU time, measured; this does what ours used of it:
// count on arrival, draft-7 headers, Retry-After and a 429 past the limit, and give a request back
// once its answer shows it should not have counted. It reads Node's own request and response, so the
// routes answered ahead of Express's routing take it as they are and the others as a middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, type Options } from 'express-rate-limit';
import type { ClientAddress } from './client-address.ts';
import { ApiError } from './errors.ts';

const WINDOW_MS = 60_000;

/**
 * A per-client-address limit per minute. `counts` (default: every request) says which answers use it
 * up: a request is counted when it arrives and given back once answered otherwise, so only a burst of
 * that many at the same instant could meet the limit with answers that do not count.
 */
export class RateLimit {
  private readonly store = new MemoryStore();
  private readonly policy: string;

  constructor(
    readonly perMinute: number,
    private readonly addressOf: ClientAddress,
    private readonly counts?: (status: number) => boolean,
  ) {
    this.store.init({ windowMs: WINDOW_MS } as Options);
    this.policy = `${perMinute};w=${WINDOW_MS / 1000}`;
  }

  /** Count `req` against its address; rejects with a 429 ApiError past the limit. */
  async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { perMinute, store, counts } = this;
    const key = ipKeyGenerator(this.addressOf(req));
    const { totalHits, resetTime } = await store.increment(key);
    const resetAt = resetTime?.getTime() ?? Date.now() + WINDOW_MS;
    const reset = String(Math.max(0, Math.ceil((resetAt - Date.now()) / 1000)));
    if (!res.headersSent) {
      res.setHeader('RateLimit-Policy', this.policy);
      res.setHeader('RateLimit', `limit=${perMinute}, remaining=${Math.max(perMinute - totalHits, 0)}, reset=${reset}`);
    }
    if (counts) {
      res.once('finish', () => {
        if (!counts(res.statusCode) && Date.now() < resetAt) void store.decrement(key);
      });
    }
    if (totalHits <= perMinute) return;
    if (!res.headersSent) res.setHeader('Retry-After', reset);
    throw new ApiError(429, 'rate_limited', 'Too many requests; please slow down.');
  }

  /** The same limit as an Express middleware. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      this.take(req, res).then(() => next(), next);
    };
  }
}
