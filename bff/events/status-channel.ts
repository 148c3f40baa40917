// The PostgreSQL status channel's wire format, written by the store (pg_notify inside the
// transaction that commits a change) and read by every instance's listener (events/pg-bus.ts).
import { z } from 'zod';
import { PaymentStatus } from '../../shared/api.ts';
import type { StatusChange } from '../orders/order.ts';

export const STATUS_CHANNEL = 'linkaja_status';

/** Channels are interpolated into LISTEN: plain lower-case identifiers only. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error('status channel must be a plain lower-case identifier');
  return channel;
}

/** What travels in a NOTIFY payload (well under PostgreSQL's 8000-byte limit). */
const Envelope = z.object({
  /** The store instance that committed the change (for whoever reads the channel; listeners deliver every change). */
  origin: z.string(),
  change: z.object({
    invoiceNumber: z.string().min(1).max(64),
    status: PaymentStatus,
    amount: z.number().int().positive(),
    version: z.number().int().nonnegative(),
    updatedAt: z.string(),
  }),
});

export const encodeStatus = (change: StatusChange, origin: string): string =>
  JSON.stringify({ origin, change } satisfies z.infer<typeof Envelope>);

/**
 * The change a payload carries, or null. Anyone who can connect may NOTIFY on the channel, so a
 * payload is validated before it reaches a stream, and nothing it holds can throw here.
 */
export function decodeStatus(payload: string | undefined): StatusChange | null {
  let json: unknown;
  try {
    json = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  const envelope = Envelope.safeParse(json);
  return envelope.success ? envelope.data.change : null;
}
