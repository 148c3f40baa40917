// Read tokens: secrets that let whoever holds one read one payment's status, and nothing else.
// 256 random bits each, stored only as a SHA-256 hash. A payment has several: the status token its
// creation answered, a fresh one for each replay of that answer, and the return ticket in the URL
// DOKU sends the customer back to (DOKU's logs and the browser's history see that one, so it ends).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ReadTokenKind = 'status' | 'return';

/** A stored token: its hash, what it was given out as, and when it stops working (null: never). */
export interface ReadToken {
  hash: string;
  kind: ReadTokenKind;
  expiresAt: Date | null;
}

/** How long a return ticket reads its payment: past any order's expiry, short for a URL that leaks. */
export const RETURN_TICKET_TTL_MS = 48 * 3_600_000;

export const newReadToken = (): string => randomBytes(32).toString('base64url');

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export const hashReadToken = (token: string): string => digest(token).toString('hex');

const DUMMY: ReadToken = { hash: '0'.repeat(64), kind: 'status', expiresAt: null };

/**
 * The token among `tokens` that `presented` is, if it still works. Every stored hash is compared in
 * constant time (and a dummy when there are none), so timing tells neither which one nor whether any.
 */
export function matchReadToken(presented: string, tokens: readonly ReadToken[], now: Date): ReadToken | undefined {
  const mine = digest(presented);
  let match: ReadToken | undefined;
  for (const t of tokens.length ? tokens : [DUMMY]) {
    const stored = Buffer.from(t.hash, 'hex');
    if (stored.length === mine.length && timingSafeEqual(stored, mine) && t !== DUMMY) match = t;
  }
  return match && (match.expiresAt === null || match.expiresAt > now) ? match : undefined;
}
