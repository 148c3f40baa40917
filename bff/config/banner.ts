// What the BFF prints when it starts listening: where to open it, and which DOKU it talks to, so an
// operator sees at a glance whether payments are real.
import type { Config } from '../config.ts';

/** Said in capitals on a public simulator: nobody may take its payments for real ones. */
export const FAKE_PAYMENTS_LINE = 'SIMULATOR: PAYMENTS ARE FAKE — NO MONEY MOVES';

const LIVE_PAYMENTS = { sandbox: 'test payments, no money moves', production: 'real payments' } as const;

/** The start banner's lines. */
export function startBanner(config: Config): string[] {
  const lines =
    config.dokuEnv === 'simulator'
      ? [
          `linkaja-pay is running (demo shop): open ${config.publicUrl}/`,
          // Its own loopback address is an internal detail.
          'DOKU: simulator (embedded; its keys are public, its payments fake)',
        ]
      : [
          `linkaja-pay is running at ${config.publicUrl}`,
          `DOKU: ${config.dokuEnv} (${LIVE_PAYMENTS[config.dokuEnv]}) at ${config.dokuBaseUrl}`,
        ];
  if (config.simulatorPublic) lines.push(FAKE_PAYMENTS_LINE);
  return lines;
}
