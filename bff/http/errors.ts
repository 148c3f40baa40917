// One error type for the HTTP API and one middleware that turns any error into
// {"error":{"code","message","details"?}} without a stack trace or a secret.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import type { ErrorCode } from '../../shared/api.ts';
import type { Logger } from '../log.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Issue = ZodError['issues'][number];

/**
 * A union ("items or order_token") that failed as a whole says only that. When one branch came
 * clearly closest (fewest issues), its issues say what to fix: `items.0.quantity expected int`.
 */
function specificIssues(issues: readonly Issue[]): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !issue.errors.length) return [issue];
    const sizes = issue.errors.map((branch) => branch.length);
    const fewest = Math.min(...sizes);
    if (sizes.filter((n) => n === fewest).length !== 1) return [issue];
    const closest = issue.errors[sizes.indexOf(fewest)];
    return specificIssues(closest).map((i) => ({ path: [...issue.path, ...i.path], message: i.message }));
  });
}

/** A 400 from a zod error: the issues' paths and messages, nothing else. */
export function invalidRequest(error: ZodError, what = 'request body'): ApiError {
  const details = specificIssues(error.issues).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = details[0];
  return new ApiError(
    400,
    'invalid_request',
    `Invalid ${what}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}`,
    details,
  );
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new ApiError(404, 'not_found', 'No such route.'));
};

/** Express's body parsers raise errors with `type`; map them to 4xx instead of a 500. */
function fromBodyParser(err: { type?: string; status?: number }): ApiError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new ApiError(413, 'payload_too_large', 'Request body is too large.');
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_request', 'Request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'invalid_request', 'Unsupported body encoding or charset.');
    default:
      return err.status && err.status >= 400 && err.status < 500
        ? new ApiError(err.status, 'invalid_request', 'Bad request.')
        : undefined;
  }
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = (err ?? {}) as { name?: string; message?: string; type?: string; status?: number };
    const api = err instanceof ApiError ? err : fromBodyParser(e);
    if (api) {
      if (api.status >= 500) log.warn({ code: api.code, path: req.path, reqId: res.locals.requestId }, api.message);
      res.status(api.status).json({
        error: {
          code: api.code,
          message: api.message,
          ...(api.details === undefined ? {} : { details: api.details }),
        },
      });
      return;
    }
    // Unexpected: log the error's name and message (never the request body), answer a bare 500.
    log.error(
      { err: { name: e.name, message: e.message }, path: req.path, reqId: res.locals.requestId },
      'unhandled error',
    );
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
  };
}
