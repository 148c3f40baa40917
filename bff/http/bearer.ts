// Bearer credentials: reading `Authorization: Bearer <token>`, and guarding a router with a secret
// (the server API's MERCHANT_API_KEY, the metrics' METRICS_TOKEN), compared in constant time.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { signaturesEqual } from '../doku/signature.ts';
import type { Logger } from '../log.ts';
import { ApiError } from './errors.ts';

export const bearerToken = (req: IncomingMessage): string | undefined => {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
};

/** 401 in the usual error shape unless the request carries `secret`; logged without any key. */
export function requireBearer(secret: string, variable: string, log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = bearerToken(req);
    if (given !== undefined && signaturesEqual(secret, given)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    log.warn(
      {
        path: req.originalUrl.split('?')[0],
        reqId: res.locals.requestId as string,
        reason: given ? 'wrong' : 'missing',
      },
      `refused: ${given ? 'a wrong' : 'no'} Bearer key (${variable})`,
    );
    next(new ApiError(401, 'unauthorized', `Send Authorization: Bearer <${variable}>.`));
  };
}
