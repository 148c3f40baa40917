// Identifiers the BFF makes: invoice numbers (guessable by design: not secrets) and DOKU Request-Ids.
// Read tokens (secrets) are in read-tokens.ts.
import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** INV-YYYYMMDD-XXXXXXXXXX: 23 characters, unique by 50 random bits, readable on a receipt. */
export function newInvoiceNumber(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const bytes = randomBytes(10);
  let suffix = '';
  for (const b of bytes) suffix += ALPHABET[b % ALPHABET.length];
  return `INV-${day}-${suffix}`;
}

export const newRequestId = (): string => randomUUID();
