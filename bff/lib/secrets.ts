// Secrets the BFF signs or verifies with (HMAC-SHA256): shorter than this, they can be guessed.
/** The fewest characters ORDER_TOKEN_SECRET and MERCHANT_WEBHOOK_SECRET may have (32: a 128-bit hex string). */
export const MIN_SECRET_LENGTH = 32;
