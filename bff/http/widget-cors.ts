// The widget-facing API's CORS: the cors package writes the headers and answers preflights; a guard
// refuses a browser call from any other origin outright (CORS alone only hides the answer from the
// page, after the request has done its work). Node's own request and response, so the status route
// answered ahead of Express's routing runs the same two steps as the routes behind it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type corsFn from 'cors';
import type { RequestHandler } from 'express';
import { IDEMPOTENCY_KEY_HEADER } from '../../shared/api.ts';
import { requireCjs } from '../lib/require-cjs.ts';
import { ApiError } from './errors.ts';

const cors = requireCjs('cors') as typeof corsFn;

export class WidgetCors {
  private readonly headers: (req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => void;

  constructor(private readonly allowed: readonly string[]) {
    this.headers = cors({
      origin: [...allowed],
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', IDEMPOTENCY_KEY_HEADER],
      maxAge: 600,
    });
  }

  /** The CORS headers on `res`, or a 403 ApiError for an origin outside ALLOWED_ORIGINS. */
  async apply(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await new Promise<void>((resolve, reject) => this.headers(req, res, (err) => (err ? reject(err) : resolve())));
    const refused = this.refusal(req.headers.origin);
    if (refused) throw refused;
  }

  /** The same as Express middleware; it also answers preflights (OPTIONS), which end there. */
  middleware(): RequestHandler[] {
    return [this.headers, (req, _res, next) => next(this.refusal(req.headers.origin))];
  }

  private refusal(origin: string | undefined): ApiError | undefined {
    if (!origin || this.allowed.includes(origin)) return undefined;
    return new ApiError(
      403,
      'origin_not_allowed',
      `Origin ${origin} is not allowed to call this API (ALLOWED_ORIGINS).`,
    );
  }
}
