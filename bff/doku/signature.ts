// DOKU non-SNAP request signing: pure functions over strings and bytes.
// See ../shared/reference/doku-protocol.md ("Signing a request").
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'HMACSHA256=';

/** The components DOKU signs; `digest` is absent for requests without a body (GET). */
export interface SignedComponents {
  clientId: string;
  requestId: string;
  /** Request-Timestamp (or Response-Timestamp for DOKU's answers). */
  timestamp: string;
  /** Path only, e.g. /linkaja-emoney/v2/ServiceRequestPayment. */
  target: string;
  digest?: string;
  /** DOKU's responses label the timestamp line Response-Timestamp. */
  timestampLabel?: 'Request-Timestamp' | 'Response-Timestamp';
}

/** base64(SHA-256(exact body bytes)). Pass the very bytes (or string) that go on the wire. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64');
}

/** Lines joined by \n, no trailing newline; the Digest line only when there is a body. */
export function textToSign(c: SignedComponents): string {
  const lines = [
    `Client-Id:${c.clientId}`,
    `Request-Id:${c.requestId}`,
    `${c.timestampLabel ?? 'Request-Timestamp'}:${c.timestamp}`,
    `Request-Target:${c.target}`,
  ];
  if (c.digest !== undefined) lines.push(`Digest:${c.digest}`);
  return lines.join('\n');
}

/** The Signature header value: HMACSHA256=base64(HMAC-SHA256(secret, text)). */
export function signatureHeader(secretKey: string, text: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secretKey).update(text, 'utf8').digest('base64');
}

/** Constant-time comparison of two Signature header values (no early exit on length either). */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  // Hashing first gives equal-length buffers, so timingSafeEqual never throws and leaks no length.
  return timingSafeEqual(a, b) && expected.length === received.length;
}

/** Sign components in one step: the Signature header for them. */
export function sign(secretKey: string, c: SignedComponents): string {
  return signatureHeader(secretKey, textToSign(c));
}

/** DOKU's timestamp format: UTC, seconds, Z, no milliseconds (2020-09-22T01:51:00Z). */
export function dokuTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DOKU_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
