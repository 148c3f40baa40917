// Indonesian mobile numbers as customers type them, in the one form DOKU's own example uses
// (`081112345678`). No zod here: the element may import this at run time without pulling zod in.

/** What a number may look like once spaces, dots and dashes are gone: 08…, +628… or 628…. */
const ACCEPTED = /^(?:\+62|62|0)(8[0-9]+)$/;

/** Digits only, 10 to 16 characters: DOKU takes at most 16. */
export const PHONE_LENGTH = { min: 10, max: 16 } as const;

/** `+62 812-3456.7890` → `081234567890`; null for anything that is not such a number. */
export function normaliseIndonesianPhone(raw: string): string | null {
  const match = ACCEPTED.exec(raw.replace(/[ .-]/g, ''));
  if (!match) return null;
  const local = `0${match[1]}`;
  return local.length >= PHONE_LENGTH.min && local.length <= PHONE_LENGTH.max ? local : null;
}
