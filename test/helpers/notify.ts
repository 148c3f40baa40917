// Build and send a DOKU-style HTTP Notification to a BFF, signed as DOKU would sign it.
import { signedHeaders } from '../../bff/doku/verify.ts';
import type { Config } from '../../bff/config.ts';

export interface NotificationInput {
  invoice: string;
  amount: number | string;
  status: string;
  requestId?: string;
  /** Sign with another key / for another path / as another client, to test refusals. */
  secretKey?: string;
  target?: string;
  clientId?: string;
}

export function notificationBody(n: Pick<NotificationInput, 'invoice' | 'amount' | 'status'>): string {
  return JSON.stringify({
    service: { id: 'EMONEY' },
    acquirer: { id: 'LINKAJA' },
    channel: { id: 'EMONEY_LINKAJA' },
    order: { invoice_number: n.invoice, amount: n.amount },
    transaction: { status: n.status, date: '2026-11-24T10:00:00Z', original_request_id: 'x' },
    emoney_payment: { account_id: '62812xxxx', approval_code: 'A1' },
    some_new_field: { doku: 'adds fields' },
  });
}

export function signedNotification(config: Config, n: NotificationInput, body = notificationBody(n)) {
  const headers = signedHeaders({
    clientId: n.clientId ?? config.dokuClientId,
    secretKey: n.secretKey ?? config.dokuSecretKey,
    target: n.target ?? new URL(config.notificationUrl).pathname,
    body,
    requestId: n.requestId,
  });
  return { headers, body };
}

/** POST a signed notification to the BFF; returns status and parsed body. */
export async function sendNotification(baseUrl: string, config: Config, n: NotificationInput, body?: string) {
  const signed = signedNotification(config, n, body);
  const res = await fetch(baseUrl + config.notificationPath, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
    requestId: signed.headers['Request-Id'],
  };
}
