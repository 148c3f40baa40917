// One log line per request: method, path (never the query: it may hold a status token), status, time,
// and the request id it was answered with (X-Request-Id: the caller's, or a fresh one).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../log.ts';

/**
 * Log `req` once `res` is answered; returns its request id. A `routine` request is logged at debug
 * when it answers 200 (a status poll: thousands a minute, each the same; a notification: the line of
 * what it changed says it all); its refusals and errors stay at info like every other request.
 */
export function logAccess(log: Logger, req: IncomingMessage, res: ServerResponse, routine = false): string {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' ? given.slice(0, 128) : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const level = routine && res.statusCode === 200 ? 'debug' : 'info';
    if (!log.isLevelEnabled(level)) return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // originalUrl where Express has it: inside a router req.url is relative to that router.
    const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
    log[level](
      { reqId: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
      'request',
    );
  });
  return requestId;
}

/** The access log for the routes behind Express's routing; the request id in `res.locals.requestId`. */
export const accessLog =
  (log: Logger): RequestHandler =>
  (req, res, next) => {
    res.locals.requestId = logAccess(log, req, res);
    next();
  };
