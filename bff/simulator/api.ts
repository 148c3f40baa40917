// The simulator's DOKU API: create a LinkAja payment and Check Status. As strict as DOKU: every
// request's signature is verified over the raw bytes received, and refusals say what to check.
import { randomBytes } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { CHECK_STATUS_PATH, LINKAJA_PAYMENT_PATH, LinkAjaPaymentRequest } from '../doku/schemas.ts';
import { MAX_AMOUNT } from '../orders/line-items.ts';
import { bodyDigest } from '../doku/signature.ts';
import {
  DokuSignatureError,
  signedHeaders,
  verifyDokuSignature,
  type SignatureFailure,
  type VerifyInput,
} from '../doku/verify.ts';
import type { Logger } from '../log.ts';
import { createResponseBody, dokuError, statusBody } from './messages.ts';
import type { PaymentBook } from './state.ts';

export interface DokuApiOptions {
  clientId: string;
  secretKey: string;
  /** Signs answers; differs from secretKey only to simulate a bad DOKU answer. */
  responseSecretKey: string;
  /** Browser-facing URL of the LinkAja page (redirect_url_http). */
  redirectUrl: string;
  terminalId: string;
  notificationUrl?: string;
  /** See SimulatorOptions.allowedUrlOrigins. */
  allowedUrlOrigins?: readonly string[];
  book: PaymentBook;
  log: Logger;
}

/** A refusal in DOKU's error shape. */
class DokuRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type = 'invalid_request',
  ) {
    super(message);
  }
}

const SIGNATURE_REFUSALS: Record<SignatureFailure, { status: number; code: string }> = {
  missing_header: { status: 400, code: 'missing_header' },
  client_id_mismatch: { status: 401, code: 'invalid_client_id' },
  bad_timestamp: { status: 400, code: 'invalid_timestamp' },
  malformed_signature: { status: 401, code: 'invalid_signature' },
  signature_mismatch: { status: 401, code: 'invalid_signature' },
};

const MAX_REQUEST_ID_LENGTH = 128;

function sendError(res: Response, err: DokuRefusal): void {
  res
    .status(err.status)
    .set('Cache-Control', 'no-store')
    .json(dokuError(err.code, err.message, err.type));
}

/** Path of the URL as received at the server (before the mount point was stripped), for hints. */
function receivedPath(req: Request): string {
  return req.originalUrl.split('?')[0];
}

export function dokuApiRouter(opts: DokuApiOptions): Router {
  const { book, log } = opts;
  // DOKU's paths are exact: no other case, no trailing slash.
  const router = express.Router({ caseSensitive: true, strict: true });
  // Raw bytes, whatever the Content-Type (checked below): the Digest is over exactly what arrived.
  const raw = express.raw({ type: () => true, limit: '64kb' });

  /** Verify the headers; on failure a DokuRefusal whose message names the component to check. */
  function verify(req: Request, rawBody: Buffer | null, digest: VerifyInput['digest']): string {
    try {
      const v = verifyDokuSignature({
        headers: req.headers,
        rawBody,
        target: req.path,
        clientId: opts.clientId,
        secretKey: opts.secretKey,
        digest,
        diagnose: { receivedPath: receivedPath(req) },
      });
      if (v.requestId.length > MAX_REQUEST_ID_LENGTH) {
        throw new DokuRefusal(
          400,
          'invalid_request_id',
          `Request-Id must be at most ${MAX_REQUEST_ID_LENGTH} characters.`,
          'invalid_header',
        );
      }
      return v.requestId;
    } catch (err) {
      if (!(err instanceof DokuSignatureError)) throw err;
      const r = SIGNATURE_REFUSALS[err.reason];
      log.info({ path: req.path, reason: err.reason, hint: err.hint }, 'refused a request');
      throw new DokuRefusal(
        r.status,
        r.code,
        err.hint ? `${err.message} Hint: ${err.hint}.` : err.message,
        'invalid_header',
      );
    }
  }

  /** Answer signed as DOKU does: Response-Timestamp, Request-Target = the path called, Digest of the body. */
  function sendSigned(req: Request, res: Response, status: number, requestId: string, body: string): void {
    const headers = signedHeaders({
      clientId: opts.clientId,
      secretKey: opts.responseSecretKey,
      target: req.path,
      body,
      requestId,
      kind: 'response',
    });
    res.status(status).set(headers).set('Cache-Control', 'no-store').send(Buffer.from(body, 'utf8'));
  }

  router.post(LINKAJA_PAYMENT_PATH, raw, (req, res) => {
    if (!req.is('application/json')) {
      throw new DokuRefusal(400, 'invalid_header', 'Content-Type must be application/json.', 'invalid_header');
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const requestId = verify(req, rawBody, 'body');

    // Idempotency: the same Request-Id with the same bytes is answered 409 with the original body.
    const earlier = book.byCreateRequestId(requestId);
    if (earlier) {
      if (earlier.requestDigest !== bodyDigest(rawBody)) {
        throw new DokuRefusal(
          400,
          'duplicate_request_id',
          'This Request-Id was already used with a different body. Use a new Request-Id for a new request.',
        );
      }
      sendSigned(req, res, 409, requestId, earlier.responseBody);
      return;
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new DokuRefusal(400, 'invalid_parameter', 'The request body is not valid JSON.', 'invalid_body');
    }
    const parsed = LinkAjaPaymentRequest.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new DokuRefusal(
        400,
        'invalid_parameter',
        `Invalid request body: ${i.path.join('.') || '(root)'}: ${i.message}`,
        'invalid_body',
      );
    }
    const request = parsed.data;
    const { order } = request;
    const itemsTotal = order.line_items.reduce((sum, i) => sum + i.price * i.quantity, 0);
    if (itemsTotal !== order.amount) {
      throw new DokuRefusal(
        400,
        'invalid_amount',
        `order.line_items add up to ${itemsTotal}, but order.amount is ${order.amount}.`,
        'invalid_body',
      );
    }
    if (order.amount > MAX_AMOUNT) {
      throw new DokuRefusal(
        400,
        'invalid_amount',
        `order.amount exceeds the LinkAja limit of ${MAX_AMOUNT}.`,
        'invalid_body',
      );
    }
    for (const [field, url] of [
      ['order.callback_url', order.callback_url],
      ['additional_info.override_notification_url', request.additional_info?.override_notification_url],
    ] as const) {
      if (url === undefined) continue;
      const u = new URL(url);
      if (!/^https?:$/.test(u.protocol)) {
        throw new DokuRefusal(400, 'invalid_parameter', `${field} must be an http(s) URL.`, 'invalid_body');
      }
      if (opts.allowedUrlOrigins && !opts.allowedUrlOrigins.includes(u.origin)) {
        throw new DokuRefusal(
          400,
          'invalid_parameter',
          `${field} must be on ${opts.allowedUrlOrigins.join(' or ')}: this simulator only calls back the BFF and shops it serves.`,
          'invalid_body',
        );
      }
    }
    if (book.byInvoiceNumber(order.invoice_number)) {
      throw new DokuRefusal(
        400,
        'duplicate_invoice_number',
        `Invoice number ${order.invoice_number} was already used. Use a new invoice number for each payment.`,
      );
    }

    const message = randomBytes(48).toString('base64');
    const responseBody = JSON.stringify(
      createResponseBody({
        invoiceNumber: order.invoice_number,
        amount: order.amount,
        terminalId: opts.terminalId,
        redirectUrl: opts.redirectUrl,
        message,
        additionalInfo: request.additional_info,
      }),
    );
    book.add({
      invoiceNumber: order.invoice_number,
      amount: order.amount,
      requestId,
      request,
      requestDigest: bodyDigest(rawBody),
      responseBody,
      message,
      terminalId: opts.terminalId,
      notificationUrl: request.additional_info?.override_notification_url ?? opts.notificationUrl,
      createdAt: new Date(),
      status: 'PENDING',
      pageVisits: 0,
      notifications: [],
    });
    log.info({ invoice: order.invoice_number, amount: order.amount }, 'payment created');
    sendSigned(req, res, 200, requestId, responseBody);
  });

  router.get(`${CHECK_STATUS_PATH}:id`, (req, res) => {
    const requestId = verify(req, null, 'none');
    const payment = book.find(String(req.params.id));
    // DOKU's "not found" is a signed answer without a transaction, not a 404.
    sendSigned(req, res, 200, requestId, JSON.stringify(payment ? statusBody(payment) : {}));
  });

  // Refusals and body-parser errors leave in DOKU's error shape, never as a stack trace.
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof DokuRefusal) {
      sendError(res, err);
      return;
    }
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      sendError(
        res,
        new DokuRefusal(413, 'payload_too_large', 'The request body is larger than 64 kB.', 'invalid_body'),
      );
      return;
    }
    if ((typeof type === 'string' && type.startsWith('entity.')) || (err as { status?: number }).status === 400) {
      sendError(res, new DokuRefusal(400, 'invalid_parameter', 'The request body could not be read.', 'invalid_body'));
      return;
    }
    log.error(
      { err: { name: (err as Error).name, message: (err as Error).message }, path: req.path },
      'simulator error',
    );
    sendError(res, new DokuRefusal(500, 'internal_error', 'The simulator failed to process the request.', 'api_error'));
  };
  router.use(onError);
  return router;
}
