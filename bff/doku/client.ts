// The DOKU client: create a LinkAja payment and ask Check Status. It serialises the body once,
// hashes and sends those very bytes, keeps one Request-Id across retries, and trusts an answer only
// when its status, signature and shape check out.
import { isLoopbackUrl } from '../lib/loopback.ts';
import type { Logger } from '../log.ts';
import type { BffMetrics, DokuOperation } from '../metrics/metrics.ts';
import {
  CHECK_STATUS_PATH,
  CheckStatusResponse,
  LINKAJA_PAYMENT_PATH,
  LinkAjaPaymentResponse,
  type LinkAjaPaymentRequest,
} from './schemas.ts';
import { exchange, ExchangeTimeout, type Answer } from './http-exchange.ts';
import { DokuSignatureError, signedHeaders, verifyDokuSignature } from './verify.ts';
import type { z } from 'zod';

export type GatewayErrorKind =
  /** No answer in time: DOKU may or may not have the payment (reconciliation will find out). */
  | 'timeout'
  /** Could not reach DOKU at all. */
  | 'network'
  /** DOKU answered with an error status: it refused the request. */
  | 'refused'
  /** DOKU answered, but the answer failed its signature or schema check. */
  | 'bad_response';

/** A failed DOKU call. The message is safe to log: no secret, no signature, no body. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly httpStatus?: number,
    /** DOKU's own error code, when it gave one. */
    readonly dokuCode?: string,
  ) {
    super(message);
  }
}

export interface DokuClientOptions {
  baseUrl: string;
  clientId: string;
  secretKey: string;
  timeoutMs: number;
  log?: Logger;
  /** Attempts for one call on network errors and 5xx (same Request-Id, same bytes). */
  attempts?: number;
  /**
   * The embedded simulator's LinkAja page may be plain http (its payments are fake). DOKU's must be
   * https, a loopback host excepted: the customer's browser posts the LinkAja Message there.
   */
  httpRedirectAllowed?: boolean;
  /** Each call's duration and outcome. */
  metrics?: Pick<BffMetrics, 'dokuCall'>;
}

export type CheckStatusResult =
  { found: false } | { found: true; status: string; amount?: number; raw: z.infer<typeof CheckStatusResponse> };

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Pull a code and message out of DOKU's non-uniform error bodies. */
function describeDokuError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const err = body.error as Record<string, unknown> | undefined;
    if (err && typeof err === 'object') {
      return {
        code: typeof err.code === 'string' ? err.code : undefined,
        message: typeof err.message === 'string' ? err.message : undefined,
      };
    }
    if (Array.isArray(body.message)) return { message: body.message.filter((m) => typeof m === 'string').join('; ') };
    if (typeof body.message === 'string') return { message: body.message };
  } catch {
    /* not JSON */
  }
  return {};
}

export class DokuClient {
  private readonly attempts: number;
  constructor(private readonly opts: DokuClientOptions) {
    this.attempts = opts.attempts ?? 2;
  }

  /**
   * Create a LinkAja payment. `requestId` is the order's own Request-Id, kept for every retry, so a
   * repeat that DOKU already processed comes back as 409 with the payment: that is the payment.
   */
  createLinkAjaPayment(
    request: LinkAjaPaymentRequest,
    requestId: string,
  ): Promise<z.infer<typeof LinkAjaPaymentResponse>> {
    return this.timed('create_payment', () => this.create(request, requestId));
  }

  /** Check Status (signed GET, no Digest). */
  checkStatus(invoiceNumber: string, requestId: string): Promise<CheckStatusResult> {
    return this.timed('check_status', () => this.check(invoiceNumber, requestId));
  }

  private async timed<T>(operation: DokuOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const observe = (outcome: Parameters<BffMetrics['dokuCall']>[1]) =>
      this.opts.metrics?.dokuCall(operation, outcome, (performance.now() - started) / 1000);
    try {
      const result = await call();
      observe('ok');
      return result;
    } catch (err) {
      if (err instanceof GatewayError) observe(err.kind);
      throw err;
    }
  }

  private async create(
    request: LinkAjaPaymentRequest,
    requestId: string,
  ): Promise<z.infer<typeof LinkAjaPaymentResponse>> {
    const body = JSON.stringify(request);
    const res = await this.call('POST', LINKAJA_PAYMENT_PATH, body, requestId);
    if (res.status !== 200 && res.status !== 409) throw this.refusal(res.status, res.text);
    this.verify(res, LINKAJA_PAYMENT_PATH, requestId);
    // A 409 carrying the payment body is our own earlier request answered again; any other 409 is a refusal.
    if (res.status === 409 && !LinkAjaPaymentResponse.safeParse(safeJson(res.text)).success) {
      throw this.refusal(res.status, res.text);
    }
    const parsed = this.parse(LinkAjaPaymentResponse, res.text, res.status);
    if (
      Number(parsed.order.amount) !== request.order.amount ||
      parsed.order.invoice_number !== request.order.invoice_number
    ) {
      throw new GatewayError('bad_response', 'DOKU answered for another invoice or amount.', res.status);
    }
    const redirect = new URL(parsed.emoney_payment.redirect_url_http);
    if (redirect.protocol !== 'https:' && !isLoopbackUrl(redirect) && !this.opts.httpRedirectAllowed) {
      throw new GatewayError('bad_response', "DOKU's redirect URL is not https.", res.status);
    }
    return parsed;
  }

  private async check(invoiceNumber: string, requestId: string): Promise<CheckStatusResult> {
    const target = CHECK_STATUS_PATH + encodeURIComponent(invoiceNumber);
    const res = await this.call('GET', target, null, requestId);
    // Only a signed 200 says anything about the order: a 404 may be a proxy or a wrong base URL,
    // and taking it for "not found" would let the reconciler expire an order that was paid.
    if (res.status !== 200) throw this.refusal(res.status, res.text);
    this.verify(res, target, requestId);
    const parsed = this.parse(CheckStatusResponse, res.text, res.status);
    if (parsed.order && parsed.order.invoice_number !== invoiceNumber) {
      throw new GatewayError('bad_response', 'DOKU answered Check Status for another invoice.', res.status);
    }
    if (!parsed.transaction) return { found: false }; // DOKU's "not found"
    const amount = parsed.order?.amount;
    if (parsed.transaction.status === 'SUCCESS' && amount === undefined) {
      // Never mark an order paid without checking the amount: ask again later.
      throw new GatewayError('bad_response', 'Check Status reported SUCCESS without order.amount.', res.status);
    }
    return { found: true, status: parsed.transaction.status, amount, raw: parsed };
  }

  private async call(method: 'GET' | 'POST', target: string, body: string | null, requestId: string) {
    const deadline = Date.now() + this.opts.timeoutMs;
    let lastError: GatewayError | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // A fresh timestamp (and so signature) per attempt; the Request-Id and body bytes stay the same.
      const headers = signedHeaders({
        clientId: this.opts.clientId,
        secretKey: this.opts.secretKey,
        target,
        body,
        requestId,
      });
      let res: Answer;
      try {
        res = await exchange(this.opts.baseUrl + target, { method, headers, body, timeoutMs: remaining });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e instanceof ExchangeTimeout) {
          throw new GatewayError('timeout', `DOKU did not answer within ${this.opts.timeoutMs} ms.`);
        }
        lastError = new GatewayError('network', `Could not reach DOKU (${e.code ?? e.name}).`);
        this.opts.log?.warn(
          { dokuRequestId: requestId, target, attempt, reason: lastError.message },
          'DOKU call failed',
        );
        continue;
      }
      if (res.status >= 300 && res.status < 400) {
        // DOKU's API never redirects; a wrong DOKU_BASE_URL (http for https, a proxy's page) does.
        throw new GatewayError('network', `DOKU answered HTTP ${res.status}, a redirect: check DOKU_BASE_URL.`);
      }
      if (res.status >= 500 && attempt < this.attempts) {
        lastError = this.refusal(res.status, res.text);
        this.opts.log?.warn(
          { dokuRequestId: requestId, target, status: res.status, attempt },
          'DOKU answered 5xx; retrying with the same Request-Id',
        );
        continue;
      }
      return res;
    }
    throw lastError ?? new GatewayError('timeout', `DOKU did not answer within ${this.opts.timeoutMs} ms.`);
  }

  private verify(res: Answer, target: string, requestId: string): void {
    const { headers } = res;
    try {
      verifyDokuSignature({
        headers,
        rawBody: res.text,
        target,
        clientId: this.opts.clientId,
        secretKey: this.opts.secretKey,
        timestampLabel: 'Response-Timestamp',
        digest: 'either',
      });
    } catch (err) {
      if (err instanceof DokuSignatureError) {
        throw new GatewayError('bad_response', `DOKU's answer failed signature verification: ${err.message}`);
      }
      throw err;
    }
    if (headers['request-id'] !== requestId) {
      throw new GatewayError('bad_response', "DOKU's answer carries another Request-Id.");
    }
  }

  private parse<S extends z.ZodType>(schema: S, text: string, status: number): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GatewayError('bad_response', "DOKU's answer is not JSON.", status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new GatewayError(
        'bad_response',
        `DOKU's answer has an unexpected shape: ${i.path.join('.')} ${i.message}`,
        status,
      );
    }
    return parsed.data;
  }

  private refusal(status: number, text: string): GatewayError {
    const { code, message } = describeDokuError(text);
    return new GatewayError(
      'refused',
      `DOKU refused the request (HTTP ${status}${code ? `, ${code}` : ''}${message ? `: ${message}` : ''}).`,
      status,
      code,
    );
  }
}
