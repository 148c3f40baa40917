// JSON with object keys sorted at every level: equal values give equal text, whatever order the
// keys arrived in (for hashing a request, e.g. to recognise an Idempotency-Key's request again).
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
