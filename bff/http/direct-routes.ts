// The routes that carry the load (every open page's status poll, DOKU's notifications) answered
// straight from Node's request, ahead of Express's routing: for a poll, Express's per-request set-up
// and its router's layers cost about as much as the poll's own work (database read and token check
// included), measured in a CPU profile. A direct route is a whole endpoint: it gets the access log,
// the security headers and the error answers every other route gets; what else it needs (CORS, a
// rate limit) it runs itself. Everything else goes on to Express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction } from 'express';
import type { Logger } from '../log.ts';
import { logAccess } from './access-log.ts';
import { answerError } from './errors.ts';
import { setApiSecurityHeaders } from './security-headers.ts';

export interface DirectRoute {
  method: 'GET' | 'POST';
  /** An exact path, or one with a `:name` segment (matched by exactly one path segment). */
  path: string;
  /** Its 200s are access-logged at debug (thousands a minute, or logged by the route itself); the rest at info. */
  routine?: boolean;
  /** Answer `req`; a throw is answered as an error. `param`: the `:name` segment, decoded. */
  handle(req: IncomingMessage, res: ServerResponse, param: string): Promise<void>;
}

/** The one path segment between `prefix` and `suffix`, decoded, if `path` is exactly that. */
function segmentBetween(prefix: string, suffix: string, path: string): string | undefined {
  const end = path.length - suffix.length;
  if (end <= prefix.length || !path.startsWith(prefix) || !path.endsWith(suffix)) return;
  const raw = path.slice(prefix.length, end);
  if (raw.includes('/')) return;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // Malformed escapes name nothing that exists: the route answers its own "not found".
  }
}

export interface DirectDispatch {
  /** Answers a request that one of its routes takes and says so, or leaves it (false). */
  (req: IncomingMessage, res: ServerResponse): boolean;
  routes: readonly DirectRoute[];
}

export function directRoutes(routes: readonly DirectRoute[], log: Logger): DirectDispatch {
  const compiled = routes.map((route) => {
    const param = /\/:\w+/.exec(route.path);
    if (!param) return { route, exact: route.path, prefix: '', suffix: '' };
    const suffix = route.path.slice(param.index + param[0].length);
    return { route, exact: undefined, prefix: route.path.slice(0, param.index + 1), suffix };
  });
  const dispatch = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    for (const { route, exact, prefix, suffix } of compiled) {
      // As Express does, a GET route answers HEAD too (Node leaves out the body).
      if (req.method !== route.method && !(req.method === 'HEAD' && route.method === 'GET')) continue;
      const param = exact === undefined ? segmentBetween(prefix, suffix, path) : path === exact ? '' : undefined;
      if (param === undefined) continue;
      const reqId = logAccess(log, req, res, route.routine);
      setApiSecurityHeaders(res);
      route.handle(req, res, param).catch((err: unknown) => answerError(err, res, log, { path, reqId }));
      return true;
    }
    return false;
  };
  return Object.assign(dispatch, { routes });
}

type Handle = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

const answeredFirst = new WeakMap<Express, readonly DirectRoute[]>();

/** The direct routes `app` answers ahead of its routing (its router's stack does not show them). */
export const directRoutesOf = (app: Express): readonly DirectRoute[] => answeredFirst.get(app) ?? [];

/**
 * Put `dispatch` ahead of `app`'s routing. Express calls `app.handle` both when the app listens itself
 * and when it is mounted in a merchant's app (there with the mount path already taken off `req.url`),
 * so the direct routes are taken first either way.
 */
export function answerFirst(app: Express, dispatch: DirectDispatch): void {
  answeredFirst.set(app, dispatch.routes);
  const withHandle = app as unknown as { handle: Handle };
  const routed = withHandle.handle.bind(app);
  withHandle.handle = (req, res, next) => {
    if (!dispatch(req, res)) routed(req, res, next);
  };
}
