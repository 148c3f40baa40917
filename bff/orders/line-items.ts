// An order's lines and the limits every order keeps, whatever source priced it. DOKU's request
// shape (doku/schemas.ts) is built from these; the domain never looks at DOKU's.
import { z } from 'zod';

/** DOKU's per-transaction ceiling for LinkAja, enforced before DOKU is called (IDR). */
export const MAX_AMOUNT = 10_000_000;

/** Printable text only: a control character (NUL above all, which PostgreSQL refuses) is never a name or id. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export const LineItem = z.strictObject({
  name: z.string().min(1).max(255).regex(NO_CONTROL_CHARS, 'must not contain control characters'),
  /** Whole IDR. */
  price: z.number().int().positive(),
  quantity: z.number().int().min(1),
});
export type LineItem = z.infer<typeof LineItem>;

/** Total of line items; the sum DOKU checks. */
export const sumLineItems = (items: readonly LineItem[]): number =>
  items.reduce((sum, li) => sum + li.price * li.quantity, 0);
