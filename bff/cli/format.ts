// How the CLI prints what the operations answer: aligned tables and short summaries for a person;
// `--json` prints the server API's very JSON instead. Pure.
import type { Payment, PaymentDetail, WebhookDelivery } from '../../shared/server-api.ts';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Rupiah as an Indonesian receipt writes it: Rp 36.000. */
export const rupiah = (amount: number): string => `Rp ${amount.toLocaleString('id-ID')}`;

export const paymentRows = (payments: readonly Payment[]): string[] =>
  table(
    ['INVOICE', 'STATUS', 'AMOUNT', 'REFERENCE', 'CREATED'],
    payments.map((p) => [p.invoice_number, p.status, rupiah(p.amount), p.reference ?? '-', p.created_at]),
  );

export function paymentSummary(p: PaymentDetail): string[] {
  const customer = p.customer && [p.customer.name, p.customer.email, p.customer.phone].filter(Boolean).join(', ');
  return [
    `${p.invoice_number}  ${p.status}  ${rupiah(p.amount)}${p.needs_review ? '  NEEDS REVIEW (DOKU reported another amount)' : ''}`,
    ...table(
      ['', ''],
      [
        ['reference', p.reference ?? '-'],
        ['metadata', Object.keys(p.metadata).length ? JSON.stringify(p.metadata) : '-'],
        ['customer', customer || '-'],
        ...p.line_items.map((li, i) => [i === 0 ? 'items' : '', `${li.quantity} x ${li.name} @ ${rupiah(li.price)}`]),
        ['created', p.created_at],
        ['updated', p.updated_at],
        ['expires', p.expires_at],
        ...(p.duplicate_of ? [['duplicate of', `${p.duplicate_of} (paid first: refund one)`]] : []),
      ],
    ).slice(1),
    'history',
    ...(p.history.length
      ? p.history.map((h) => `  ${h.at}  ${h.from} -> ${h.to}  (${h.source.replace('_', ' ')})`)
      : ['  (no change yet)']),
  ];
}

export const deliveryRows = (deliveries: readonly WebhookDelivery[]): string[] =>
  table(
    ['ID', 'WEBHOOK-ID', 'TYPE', 'STATUS', 'ATTEMPTS', 'WHEN', 'LAST ERROR'],
    deliveries.map((d) => [
      String(d.id),
      d.webhook_id,
      d.type,
      d.status,
      String(d.attempts),
      d.delivered_at ?? d.next_attempt_at ?? d.created_at,
      d.last_error ?? '-',
    ]),
  );
