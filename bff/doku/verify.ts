// Verifying DOKU-signed messages (notifications to the BFF, requests to the simulator,
// DOKU's answers to the BFF), and signing headers for them. Modelled on stripe-node's
// webhook verifier: small, pure apart from crypto, with errors that say what to check.
import { randomUUID } from 'node:crypto';
import {
  DOKU_TIMESTAMP_RE,
  bodyDigest,
  dokuTimestamp,
  sign,
  signaturesEqual,
  SIGNATURE_PREFIX,
  type SignedComponents,
} from './signature.ts';

type HeaderBag = Record<string, string | string[] | undefined>;
type TimestampLabel = NonNullable<SignedComponents['timestampLabel']>;

export type SignatureFailure =
  'missing_header' | 'client_id_mismatch' | 'bad_timestamp' | 'malformed_signature' | 'signature_mismatch';

/** A message whose signature did not verify. Carries no secret and no signature value. */
export class DokuSignatureError extends Error {
  override name = 'DokuSignatureError';
  constructor(
    readonly reason: SignatureFailure,
    message: string,
    /** With `diagnose`, which component made the difference (safe to log: names only). */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface VerifyInput {
  /** Incoming headers (any case). */
  headers: HeaderBag;
  /** The exact bytes received, before any JSON parsing; null for a message without a body. */
  rawBody: Uint8Array | string | null;
  /** Path the sender signed: for notifications, the path of the BFF's *public* notification URL. */
  target: string;
  clientId: string;
  secretKey: string;
  /** Which timestamp header carries the time: requests and notifications use Request-Timestamp. */
  timestampLabel?: TimestampLabel;
  /**
   * 'body' (default): the Digest line is over rawBody. 'either': accept the text with or without
   * the Digest line (DOKU's responses; see doku-protocol.md). 'none': a GET, no Digest line.
   */
  digest?: 'body' | 'either' | 'none';
  /** Compute a hint naming the mismatched component (simulator and debug logs). Costs a few HMACs. */
  diagnose?: { receivedPath?: string };
}

export interface VerifiedMessage {
  clientId: string;
  requestId: string;
  timestamp: string;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const direct = headers[name] ?? headers[name.toLowerCase()];
  let v = direct;
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    v = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(v) ? v[0] : v;
}

/** Verify a DOKU-signed message; throws DokuSignatureError saying what to check. */
export function verifyDokuSignature(input: VerifyInput): VerifiedMessage {
  const label: TimestampLabel = input.timestampLabel ?? 'Request-Timestamp';
  const missing = ['Client-Id', 'Request-Id', label, 'Signature'].filter((h) => !header(input.headers, h));
  if (missing.length > 0) {
    throw new DokuSignatureError('missing_header', `Missing header(s): ${missing.join(', ')}.`);
  }
  const clientId = header(input.headers, 'Client-Id')!;
  const requestId = header(input.headers, 'Request-Id')!;
  const timestamp = header(input.headers, label)!;
  const received = header(input.headers, 'Signature')!;

  if (clientId !== input.clientId) {
    throw new DokuSignatureError(
      'client_id_mismatch',
      'Client-Id does not match this merchant. Check DOKU_CLIENT_ID against DOKU Back Office.',
    );
  }
  if (!DOKU_TIMESTAMP_RE.test(timestamp)) {
    throw new DokuSignatureError(
      'bad_timestamp',
      `${label} must be UTC with seconds and Z, no milliseconds (e.g. 2020-09-22T01:51:00Z).`,
    );
  }
  if (!received.startsWith(SIGNATURE_PREFIX)) {
    throw new DokuSignatureError('malformed_signature', `Signature must start with ${SIGNATURE_PREFIX}.`);
  }

  const mode = input.digest ?? 'body';
  const base = { clientId, requestId, timestamp, target: input.target, timestampLabel: label };
  const candidates: SignedComponents[] = [];
  if (mode !== 'none') candidates.push({ ...base, digest: bodyDigest(input.rawBody ?? '') });
  if (mode !== 'body') candidates.push(base);
  // Every candidate is computed and compared, so timing does not reveal which form matched.
  let ok = false;
  for (const c of candidates) ok = signaturesEqual(sign(input.secretKey, c), received) || ok;
  if (ok) return { clientId, requestId, timestamp };

  throw new DokuSignatureError(
    'signature_mismatch',
    'Signature does not match. Check the secret key, that the Digest is over the raw body bytes, ' +
      'and that Request-Target is the path the sender called.',
    input.diagnose ? diagnose(input, base, received) : undefined,
  );
}

/** Try the usual integration mistakes one at a time and name the one that would have matched. */
function diagnose(input: VerifyInput, base: SignedComponents, received: string): string {
  const raw = input.rawBody === null ? '' : Buffer.from(input.rawBody).toString('utf8');
  const tries: Array<[string, SignedComponents]> = [];
  if (input.diagnose?.receivedPath && input.diagnose.receivedPath !== input.target) {
    tries.push([
      `Request-Target: signed for ${input.diagnose.receivedPath}, expected ${input.target}`,
      { ...base, target: input.diagnose.receivedPath, digest: bodyDigest(raw) },
    ]);
  }
  if (input.digest === 'none') {
    tries.push(['Digest: a GET is signed without a Digest line', { ...base, digest: bodyDigest(raw) }]);
  } else {
    tries.push(['Digest: the text was signed without a Digest line', { ...base }]);
    try {
      const reserialised = JSON.stringify(JSON.parse(raw));
      if (reserialised !== raw) {
        tries.push([
          'Digest: signed over re-serialised JSON, not the bytes sent',
          { ...base, digest: bodyDigest(reserialised) },
        ]);
      }
    } catch {
      /* not JSON: nothing to try */
    }
  }
  for (const [hint, c] of tries) {
    if (signaturesEqual(sign(input.secretKey, c), received)) return hint;
  }
  return 'no single component explains it: check Client-Id, secret key and Request-Timestamp';
}

export interface SignHeadersInput {
  clientId: string;
  secretKey: string;
  target: string;
  /** The exact bytes to send; null for a GET. */
  body: string | null;
  requestId?: string;
  timestamp?: string;
  /** 'request' (default) signs Request-Timestamp; 'response' signs Response-Timestamp. */
  kind?: 'request' | 'response';
}

/**
 * Headers for a DOKU-signed message. The DOKU client, the simulator and merchants' own tests
 * (signing a test notification, like stripe's generateTestHeaderString) all use this.
 */
export function signedHeaders(input: SignHeadersInput): Record<string, string> {
  const label: TimestampLabel = input.kind === 'response' ? 'Response-Timestamp' : 'Request-Timestamp';
  const requestId = input.requestId ?? randomUUID();
  const timestamp = input.timestamp ?? dokuTimestamp();
  const digest = input.body === null ? undefined : bodyDigest(input.body);
  const signature = sign(input.secretKey, {
    clientId: input.clientId,
    requestId,
    timestamp,
    target: input.target,
    digest,
    timestampLabel: label,
  });
  const headers: Record<string, string> = {
    'Client-Id': input.clientId,
    'Request-Id': requestId,
    [label]: timestamp,
    Signature: signature,
  };
  if (input.body !== null) headers['Content-Type'] = 'application/json';
  return headers;
}
