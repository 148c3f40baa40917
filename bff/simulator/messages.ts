// Bodies the simulator sends, in DOKU's shapes (linkaja-doc.md, doku-protocol.md). Pure functions.
import { dokuTimestamp } from '../doku/signature.ts';
import type { SimulatedPayment } from './state.ts';

/** DOKU's error body: {"error":{"code","message","type"}}. */
export interface DokuErrorBody {
  error: { code: string; message: string; type: string };
}

export function dokuError(code: string, message: string, type: string): DokuErrorBody {
  return { error: { code, message, type } };
}

/** DOKU sends order.amount back as a string with two decimals: "10000.00". */
export function amountString(amount: number): string {
  return amount.toFixed(2);
}

export function createResponseBody(p: {
  invoiceNumber: string;
  amount: number;
  terminalId: string;
  redirectUrl: string;
  message: string;
  additionalInfo?: { override_notification_url: string };
}): Record<string, unknown> {
  return {
    order: { invoice_number: p.invoiceNumber, amount: amountString(p.amount) },
    emoney_configuration: { identifier: [{ name: 'TERMINAL_ID', value: p.terminalId }] },
    emoney_payment: {
      redirect_method_http: 'POST',
      redirect_url_http: p.redirectUrl,
      redirect_parameter: [{ name: 'Message', value: p.message }],
      status: 'PENDING',
    },
    ...(p.additionalInfo ? { additional_info: p.additionalInfo } : {}),
  };
}

const CHANNEL = {
  service: { id: 'EMONEY' },
  acquirer: { id: 'LINKAJA' },
  channel: { id: 'EMONEY_LINKAJA' },
} as const;

/** What a notification says about a payment (the CLI's `trigger` sends one for a stored order too). */
export type NotifiedPayment = Pick<
  SimulatedPayment,
  'invoiceNumber' | 'amount' | 'status' | 'decidedAt' | 'createdAt' | 'requestId' | 'accountId' | 'approvalCode'
>;

/** The HTTP Notification DOKU posts once a payment is decided. */
export function notificationBody(p: NotifiedPayment): Record<string, unknown> {
  return {
    ...CHANNEL,
    order: { invoice_number: p.invoiceNumber, amount: p.amount },
    transaction: {
      status: p.status,
      date: dokuTimestamp(p.decidedAt ?? p.createdAt),
      original_request_id: p.requestId,
    },
    emoney_payment: { account_id: p.accountId ?? '', approval_code: p.approvalCode ?? '' },
  };
}

/** Check Status answer: like a notification, PENDING until decided. */
export function statusBody(p: SimulatedPayment): Record<string, unknown> {
  return {
    ...CHANNEL,
    order: { invoice_number: p.invoiceNumber, amount: amountString(p.amount) },
    transaction: {
      status: p.status,
      date: dokuTimestamp(p.decidedAt ?? p.createdAt),
      original_request_id: p.requestId,
    },
    ...(p.status === 'PENDING'
      ? {}
      : { emoney_payment: { account_id: p.accountId ?? '', approval_code: p.approvalCode ?? '' } }),
  };
}
