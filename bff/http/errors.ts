// The HTTP edge's errors: ApiError for what the edge itself refuses, one table that turns the
// domain's, DOKU's and the store's errors into a status and a public code, and one function (the
// direct routes call it, Express's error middleware wraps it) that answers
// {"error":{"code","message","details"?}} without a stack trace or a secret.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import type { ErrorCode } from '../../shared/api.ts';
import { GatewayError, type GatewayErrorKind } from '../doku/client.ts';
import { describeIssues, issuesOf } from '../lib/issues.ts';
import type { Logger } from '../log.ts';
import { OrderError, type OrderErrorCode } from '../orders/errors.ts';
import { StoreError } from '../store/errors.ts';
import { sendNoStoreJson } from './no-store-json.ts';

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

interface PublicError {
  status: number;
  code: ErrorCode;
  /** The answer's message; without one, the error's own (written for the client) is answered. */
  message?: string;
}

const GATEWAY_FAILED = 'The payment provider could not create the payment. Please try again.';

/** Every error the layers below raise, and how it is answered. */
const PUBLIC_ERRORS: {
  order: Record<OrderErrorCode, PublicError>;
  gateway: Record<GatewayErrorKind, PublicError>;
  store: PublicError;
} = {
  order: {
    unknown_sku: { status: 400, code: 'unknown_sku' },
    amount_too_large: { status: 400, code: 'amount_too_large' },
    invalid_order: { status: 400, code: 'invalid_request' },
    invalid_order_token: { status: 400, code: 'invalid_order_token' },
    order_token_expired: { status: 400, code: 'invalid_order_token' },
    order_source_unavailable: { status: 400, code: 'order_source_unavailable' },
    return_url_not_allowed: { status: 400, code: 'return_url_not_allowed' },
    idempotency_key_reused: { status: 422, code: 'idempotency_key_reused' },
    payment_in_progress: { status: 409, code: 'payment_in_progress' },
    already_paid: { status: 409, code: 'already_paid' },
    not_found: { status: 404, code: 'not_found' },
    webhooks_not_configured: { status: 409, code: 'webhooks_not_configured' },
  },
  gateway: {
    // DOKU may hold the payment: the order stays PENDING and reconciliation finds out.
    timeout: {
      status: 504,
      code: 'gateway_timeout',
      message: 'The payment provider did not answer in time. Please try again.',
    },
    network: { status: 502, code: 'gateway_error', message: GATEWAY_FAILED },
    refused: { status: 502, code: 'gateway_error', message: GATEWAY_FAILED },
    bad_response: { status: 502, code: 'gateway_error', message: GATEWAY_FAILED },
  },
  store: { status: 503, code: 'store_unavailable' },
};

/** A 400 from a zod error: the issues' paths and messages, nothing else. */
export function invalidRequest(error: ZodError, what = 'request body'): ApiError {
  const details = issuesOf(error);
  return new ApiError(400, 'invalid_request', describeIssues(what, details), details);
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

const answer = (p: PublicError, message: string, details?: unknown) =>
  new ApiError(p.status, p.code, p.message ?? message, details);

/** The answer for an error, or undefined for one nobody expected (a bare 500). */
export function publicError(err: unknown): ApiError | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  if (err instanceof ApiError) return err;
  if (err instanceof OrderError) return answer(PUBLIC_ERRORS.order[err.code], err.message, err.details);
  if (err instanceof GatewayError) return answer(PUBLIC_ERRORS.gateway[err.kind], err.message);
  if (err instanceof StoreError) return answer(PUBLIC_ERRORS.store, err.message);
  return fromBodyParser(err);
}

/** Where an error happened, for its log line. */
export interface ErrorPlace {
  path: string;
  reqId?: string;
}

/**
 * Answer `err` on `res` in the usual shape, and log it as the operator needs: a 5xx with its cause (a
 * driver's or DOKU client's message, never a secret), an unexpected error with its name and message
 * (never the request body) behind a bare 500.
 */
export function answerError(err: unknown, res: ServerResponse, log: Logger, where: ErrorPlace): void {
  const api = publicError(err);
  const { path, reqId } = where;
  if (api) {
    if (api.status >= 500) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      log.warn({ code: api.code, path, reqId, reason: cause }, api.message);
    }
    if (res.headersSent) return;
    const details = api.details === undefined ? {} : { details: api.details };
    sendNoStoreJson(res, { error: { code: api.code, message: api.message, ...details } }, api.status);
    return;
  }
  const e = (err ?? {}) as { name?: string; message?: string };
  log.error({ err: { name: e.name, message: e.message }, path, reqId }, 'unhandled error');
  if (res.headersSent) return;
  sendNoStoreJson(res, { error: { code: 'internal_error', message: 'Something went wrong on our side.' } }, 500);
}

export const errorHandler =
  (log: Logger): ErrorRequestHandler =>
  (err, req, res, _next) =>
    answerError(err, res, log, { path: req.path, reqId: res.locals.requestId as string | undefined });
