// What each DOKU_ENV stands for: DOKU's hosts, and the embedded simulator's credentials.
export const DOKU_BASE_URLS = {
  sandbox: 'https://api-sandbox.doku.com',
  production: 'https://api.doku.com',
} as const;

/** The simulator's own credentials: public on purpose, they protect nothing (so never outside it). */
export const SIMULATOR_CLIENT_ID = 'BRN-SIMULATOR-0001';
export const SIMULATOR_SECRET_KEY = 'SK-simulator-not-a-secret';
