// Per-client-address limits per minute: express-rate-limit's MemoryStore and address key, behind a thin
// middleware of our own. The library's middleware (its per-request option handling, validations, five
// awaits and a Date copy) was 8% of a status poll's CPU time, measured; this does what ours used of it:
// count on arrival, draft-7 headers, Retry-After and a 429 past the limit, and give a request back
// once its answer shows it should not have counted.
import type { RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, type Options } from 'express-rate-limit';
import { ApiError } from './errors.ts';

const WINDOW_MS = 60_000;

/**
 * A per-client-IP limit per minute. `counts` (default: every request) says which answers use it up:
 * a request is counted when it arrives and given back once answered otherwise, so only a burst of
 * that many at the same instant could meet the limit with answers that do not count.
 */
export function limiter(perMinute: number, counts?: (status: number) => boolean): RequestHandler {
  const store = new MemoryStore();
  store.init({ windowMs: WINDOW_MS } as Options);
  const policy = `${perMinute};w=${WINDOW_MS / 1000}`;
  return (req, res, next) => {
    const key = ipKeyGenerator(req.ip ?? '');
    store.increment(key).then(({ totalHits, resetTime }) => {
      const resetAt = resetTime?.getTime() ?? Date.now() + WINDOW_MS;
      const reset = String(Math.max(0, Math.ceil((resetAt - Date.now()) / 1000)));
      if (!res.headersSent) {
        res.setHeader('RateLimit-Policy', policy);
        res.setHeader(
          'RateLimit',
          `limit=${perMinute}, remaining=${Math.max(perMinute - totalHits, 0)}, reset=${reset}`,
        );
      }
      if (counts) {
        res.once('finish', () => {
          if (!counts(res.statusCode) && Date.now() < resetAt) void store.decrement(key);
        });
      }
      if (totalHits <= perMinute) return next();
      if (!res.headersSent) res.setHeader('Retry-After', reset);
      next(new ApiError(429, 'rate_limited', 'Too many requests; please slow down.'));
    }, next);
  };
}
