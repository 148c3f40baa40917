// Identifiers the BFF makes: invoice numbers (guessable by design: not secrets), status tokens
// (secrets: 256 random bits, stored only as a SHA-256 hash) and DOKU Request-Ids.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

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

export const newStatusToken = (): string => randomBytes(32).toString('base64url');

export const hashStatusToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time check of a presented token against the stored hash. */
export function statusTokenMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashStatusToken(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
