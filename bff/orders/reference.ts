// The merchant's own words about an order: its reference (their order id) and metadata, carried from
// the order source (an order token's `ref` and `metadata` claims, or resolveOrder) to the stored
// order, its webhooks and the status answer. Printable text only, bounded like Stripe's metadata.
import { z } from 'zod';
import { NO_CONTROL_CHARS } from './line-items.ts';

const printable = 'must not contain control characters';

/** The merchant's order id: while one of its payments is PENDING it is handed out again, never a second. */
export const Reference = z.string().min(1).max(64).regex(NO_CONTROL_CHARS, printable);

export const MAX_METADATA_PAIRS = 20;

/** Up to 20 string pairs: keys 1–40 characters, values up to 500. */
export const Metadata = z
  .record(z.string().min(1).max(40).regex(NO_CONTROL_CHARS, printable), z.string().max(500))
  .refine((m) => Object.keys(m).length <= MAX_METADATA_PAIRS, `at most ${MAX_METADATA_PAIRS} keys`);
export type Metadata = z.infer<typeof Metadata>;
