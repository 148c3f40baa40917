// Requests signed as DOKU signs them, built before any timed part so the client's HMACs are not
// counted against the server.
import { signedHeaders } from '../../bff/doku/verify.ts';
import type { DokuCredentials } from './processes.ts';
import { PRICE, nextAddress, type SeededOrder } from './orders.ts';

/** The BFF's default NOTIFICATION_PATH, which the bench does not change. */
export const NOTIFICATION_PATH = '/api/notifications/doku';
/** DOKU's create-payment path for LinkAja (doku-protocol.md). */
const DOKU_CREATE_PATH = '/linkaja-emoney/v2/ServiceRequestPayment';

export interface PreparedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A DOKU HTTP Notification that the order was paid, as DOKU sends it (extra fields included). */
export function paidNotification(creds: DokuCredentials, order: SeededOrder): PreparedRequest {
  const body = JSON.stringify({
    service: { id: 'EMONEY' },
    acquirer: { id: 'LINKAJA' },
    channel: { id: 'EMONEY_LINKAJA' },
    order: { invoice_number: order.invoice, amount: PRICE },
    transaction: { status: 'SUCCESS', date: new Date().toISOString(), original_request_id: order.invoice },
    emoney_payment: { account_id: '62812****0000', approval_code: '123456' },
  });
  const signed = signedHeaders({ ...creds, target: NOTIFICATION_PATH, body });
  // One address per notification: today's per-IP limit on this route (600/min) would otherwise
  // refuse DOKU's own burst from one address, and the figure would count 429s, not stored changes.
  return { method: 'POST', path: NOTIFICATION_PATH, headers: { ...signed, 'X-Forwarded-For': nextAddress() }, body };
}

/** A create-payment request straight to the simulator, the same shape and size the BFF sends. */
export function simulatorCreate(creds: DokuCredentials, invoice: string, bffUrl: string): PreparedRequest {
  const body = JSON.stringify({
    order: {
      invoice_number: invoice,
      amount: PRICE,
      callback_url: `${bffUrl}/`,
      line_items: [{ name: 'Es Kopi Susu', price: PRICE, quantity: 1 }],
    },
    additional_info: { override_notification_url: bffUrl + NOTIFICATION_PATH },
  });
  return {
    method: 'POST',
    path: DOKU_CREATE_PATH,
    headers: signedHeaders({ ...creds, target: DOKU_CREATE_PATH, body }),
    body,
  };
}
