// What never reaches a log line: secrets, signatures, tokens and phone numbers, under any of these key
// names, in the first three levels of a log object or a logger's bindings (req.headers.signature,
// order.customer.phone). Copy-on-write: an object with nothing to censor is passed on as it is, so the
// common line allocates nothing here. (pino's own path redaction with wildcards parsed every path again
// on each line: 30% of the bytes a notification allocated, in a sampling heap profile.)

/** Censored wherever they appear as a key, in any letter case given here. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'secretKey',
  'dokuSecretKey',
  'orderTokenSecret',
  'merchantWebhookSecret',
  'merchantApiKey',
  'metricsToken',
  'signature',
  'Signature',
  'authorization',
  'Authorization',
  'statusToken',
  'status_token',
  'token',
  'phone',
]);

export const CENSOR = '[redacted]';

/** Levels looked into: a log object's own keys, their objects' keys, and one level more. */
const DEPTH = 3;

/** A copy of `value` that keeps its prototype and every own property (an Error keeps message and stack). */
const copyOf = <T extends object>(value: T): T =>
  Object.create(Object.getPrototypeOf(value) as object | null, Object.getOwnPropertyDescriptors(value)) as T;

function scrub(value: unknown, depth: number): unknown {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = scrub(value[i], depth - 1);
      if (next !== value[i]) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const current = record[key];
    const next = REDACTED_KEYS.has(key) ? CENSOR : scrub(current, depth - 1);
    if (next !== current) (out ??= copyOf(record))[key] = next;
  }
  return out ?? value;
}

/** `obj` with every REDACTED_KEYS value censored down to three levels; `obj` itself when there is none. */
export const redactForLog = <T extends object>(obj: T): T => scrub(obj, DEPTH) as T;
