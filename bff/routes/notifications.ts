// DOKU's HTTP Notification. The raw bytes are captured before any parsing; the signature is checked
// against the path of the BFF's *public* notification URL; the order changes in the same transaction
// that records the notification; 200 only after that commit.
import express, { Router } from 'express';
import type { Config } from '../config.ts';
import { Notification } from '../doku/schemas.ts';
import { DokuSignatureError, verifyDokuSignature } from '../doku/verify.ts';
import { ApiError } from '../http/errors.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { applyReport, type ApplyDeps } from '../payments/apply-report.ts';
import { storeFailure } from '../store/errors.ts';

export interface NotificationDeps extends ApplyDeps {
  config: Config;
  clock: () => Date;
  metrics?: BffMetrics;
}

/**
 * Answers that count against the per-IP limit on this route: a bad signature, a body that can never
 * be valid, one too large. A signed notification (200, a 404 for an unknown invoice, a 503 while the
 * store is down) never counts.
 */
export const isRefusedNotification = (status: number): boolean => status === 400 || status === 401 || status === 413;

/** Headers worth keeping in the inbox (audit trail); nothing else the proxy chain added. Lower case, as Node keys them. */
const KEPT_HEADERS = ['client-id', 'request-id', 'request-timestamp', 'signature', 'content-type', 'user-agent'];

export function notificationsRouter(deps: NotificationDeps): Router {
  const { config, log } = deps;
  const target = new URL(config.notificationUrl).pathname;
  const router = Router();

  router.post(config.notificationPath, express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const { metrics } = deps;
    metrics?.notificationReceived();
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      // A body parser of the host app read the stream first: the signed bytes are gone. Not DOKU's
      // fault (a 401 would send the integrator after keys and clocks), so a 500 that names the fix.
      log.error(
        { path: req.originalUrl.split('?')[0] },
        'notification body was already parsed by another body parser: mount the BFF before your body parsers (app.use(express.json()) after it), so the notification route gets the raw bytes',
      );
      metrics?.notificationRefused('unreadable');
      throw new ApiError(500, 'internal_error', 'The notification could not be read; the merchant must fix the setup.');
    }
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let requestId: string;
    try {
      ({ requestId } = verifyDokuSignature({
        headers: req.headers,
        rawBody,
        target,
        clientId: config.dokuClientId,
        secretKey: config.dokuSecretKey,
        diagnose: { receivedPath: req.originalUrl.split('?')[0] },
      }));
    } catch (err) {
      if (!(err instanceof DokuSignatureError)) throw err;
      metrics?.notificationRefused(err.reason);
      log.warn({ reason: err.reason, hint: err.hint, path: req.path }, `notification refused: ${err.message}`);
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
    res.status(200).json({ received: true, duplicate: outcome.kind === 'duplicate' });
  });
  return router;
}
