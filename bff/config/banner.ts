// What the BFF prints when it starts listening: where to open it, and which DOKU it talks to, so an
// operator sees at a glance whether payments are real.
import type { Config } from '../config.ts';

/** Said in capitals on a public simulator: nobody may take its payments for real ones. */
export const FAKE_PAYMENTS_LINE = 'SIMULATOR: PAYMENTS ARE FAKE — NO MONEY MOVES';

const DOKU_LINES: Record<Config['dokuEnv'], string> = {
  simulator: 'DOKU: simulator (embedded, its keys are public; payments are fake)',
  sandbox: 'DOKU: sandbox (test payments, no money moves)',
  production: 'DOKU: production (real payments)',
};

/** The start banner's lines. */
export function startBanner(config: Config): string[] {
  const lines = [
    config.dokuEnv === 'simulator'
      ? `linkaja-pay is running (demo shop): open ${config.publicUrl}/`
      : `linkaja-pay is running at ${config.publicUrl}`,
    `${DOKU_LINES[config.dokuEnv]} at ${config.dokuBaseUrl}`,
  ];
  if (config.simulatorPublic) lines.push(FAKE_PAYMENTS_LINE);
  return lines;
}
