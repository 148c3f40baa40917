// DOKU's HTTP Notification, a direct route (answered ahead of Express's routing, like the status poll:
// a burst of them is this server's heaviest write load). The raw bytes are read before any parsing;
// the signature is checked against the path of the BFF's *public* notification URL; the order changes
// in the same transaction that records the notification; 200 only after that commit.
import type { IncomingMessage } from 'node:http';
import type getRawBodyFn from 'raw-body';
import type { Config } from '../config.ts';
import { Notification } from '../doku/schemas.ts';
import { DokuSignatureError, verifyDokuSignature } from '../doku/verify.ts';
import type { DirectRoute } from '../http/direct-routes.ts';
import { ApiError } from '../http/errors.ts';
import { sendNoStoreJson } from '../http/no-store-json.ts';
import type { RateLimit } from '../http/rate-limit.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { applyReport, type ApplyDeps } from '../payments/apply-report.ts';
import { requireCjs } from '../lib/require-cjs.ts';
import { storeFailure } from '../store/errors.ts';

const getRawBody = requireCjs('raw-body') as typeof getRawBodyFn;

export interface NotificationDeps extends ApplyDeps {
  config: Config;
  clock: () => Date;
  metrics?: BffMetrics;
  /** Counts only refused notifications (isRefusedNotification). */
  refusedLimit: RateLimit;
}

/**
 * Answers that count against the per-IP limit on this route: a bad signature, a body that can never
 * be valid, one too large. A signed notification (200, a 404 for an unknown invoice, a 503 while the
 * store is down) never counts.
 */
export const isRefusedNotification = (status: number): boolean => status === 400 || status === 401 || status === 413;

/** Headers worth keeping in the inbox (audit trail); nothing else the proxy chain added. Lower case, as Node keys them. */
const KEPT_HEADERS = ['client-id', 'request-id', 'request-timestamp', 'signature', 'content-type', 'user-agent'];

/** The largest notification read; DOKU's are about 1 kB. */
const BODY_LIMIT = '64kb';

/** Where the request was sent, as the sender wrote it (under a mount path too), for diagnostics. */
const receivedPath = (req: IncomingMessage): string =>
  ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];

/**
 * The signed bytes. A host app's body parser that read the stream first (the BFF mounted after it)
 * has left nothing to verify: not DOKU's fault (a 401 would send the integrator after keys and
 * clocks), so a 500 that names the fix. A raw parser's Buffer is the bytes themselves.
 */
function rawBodyOf(req: IncomingMessage, deps: NotificationDeps): Promise<Buffer> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed === undefined) return getRawBody(req, { length: req.headers['content-length'], limit: BODY_LIMIT });
  if (Buffer.isBuffer(parsed)) return Promise.resolve(parsed);
  deps.log.error(
    { path: receivedPath(req) },
    'notification body was already parsed by another body parser: mount the BFF before your body parsers (app.use(express.json()) after it), so the notification route gets the raw bytes',
  );
  deps.metrics?.notificationRefused('unreadable');
  throw new ApiError(500, 'internal_error', 'The notification could not be read; the merchant must fix the setup.');
}

export function notificationRoute(deps: NotificationDeps): DirectRoute {
  const { config, log, metrics, refusedLimit } = deps;
  const target = new URL(config.notificationUrl).pathname;
  return {
    method: 'POST',
    path: config.notificationPath,
    // A stored one is logged once, by what it changed (payments/apply-report.ts).
    routine: true,
    async handle(req, res) {
      // Only refused ones count, so a validly signed notification is never throttled (DOKU retries a
      // 429 only ~30 minutes later); an address over the limit is answered before its body is read.
      await refusedLimit.take(req, res);
      metrics?.notificationReceived();
      const rawBody = await rawBodyOf(req, deps);
      let requestId: string;
      try {
        ({ requestId } = verifyDokuSignature({
          headers: req.headers,
          rawBody,
          target,
          clientId: config.dokuClientId,
          secretKey: config.dokuSecretKey,
          diagnose: { receivedPath: receivedPath(req) },
        }));
      } catch (err) {
        if (!(err instanceof DokuSignatureError)) throw err;
        metrics?.notificationRefused(err.reason);
        log.warn(
          { reason: err.reason, hint: err.hint, path: receivedPath(req) },
          `notification refused: ${err.message}`,
        );
        throw new ApiError(401, 'invalid_signature', 'Notification signature did not verify.');
      }

      // Decoded once: the same text is parsed and kept in the inbox.
      const text = rawBody.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        metrics?.notificationRefused('invalid_body');
        throw new ApiError(400, 'invalid_request', 'Notification body is not JSON.');
      }
      const parsed = Notification.safeParse(json);
      if (!parsed.success) {
        metrics?.notificationRefused('invalid_body');
        const i = parsed.error.issues[0];
        throw new ApiError(400, 'invalid_request', `Notification body: ${i.path.join('.')} ${i.message}`);
      }
      const n = parsed.data;
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) {
        const value = req.headers[h];
        if (typeof value === 'string') headers[h] = value;
      }

      const outcome = await applyReport(deps, {
        invoiceNumber: n.order.invoice_number,
        report: { status: n.transaction.status, amount: n.order.amount },
        source: 'notification',
        inbox: {
          requestId,
          invoiceNumber: n.order.invoice_number,
          headers,
          rawBody: text,
          receivedAt: deps.clock(),
        },
        now: deps.clock(),
      })
        // Not stored: DOKU must retry, so never a 200 here.
        .catch((err: unknown) => {
          metrics?.notificationRefused('not_stored');
          return storeFailure('Notification could not be stored; please retry.')(err);
        });
      if (outcome.kind === 'unknown_invoice') {
        metrics?.notificationRefused('unknown_invoice');
        throw new ApiError(404, 'not_found', 'Unknown invoice number.');
      }
      sendNoStoreJson(res, { received: true, duplicate: outcome.kind === 'duplicate' });
    },
  };
}
