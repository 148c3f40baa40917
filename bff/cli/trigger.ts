// `linkaja-pay trigger success|failed <invoice>`: a DOKU HTTP Notification, signed with the configured
// DOKU keys exactly as DOKU (and the simulator) signs one, sent to a BFF, as `stripe trigger` does:
// to try a shop's fulfilment (the webhook that follows) without paying. Never with production keys.
import type { Command } from 'commander';
import { signedHeaders } from '../doku/verify.ts';
import { newRequestId } from '../orders/ids.ts';
import { notificationBody } from '../simulator/messages.ts';
import { cliConfig, CliError, withStore, type CliIo } from './context.ts';

const OUTCOMES = { success: 'SUCCESS', failed: 'FAILED' } as const;

export function triggerCommand(program: Command, io: CliIo): void {
  program
    .command('trigger <outcome> <invoice>')
    .description(
      'Send a signed DOKU notification (outcome: success or failed) for a payment to a BFF. Refused with DOKU_ENV=production.',
    )
    .option('--url <bff>', 'the BFF to notify, as PUBLIC_URL says it (default: PUBLIC_URL)')
    .option('--amount <idr>', "the amount to report (default: the stored payment's, from DATABASE_URL)")
    .action(async (outcome: string, invoice: string, o: { url?: string; amount?: string }) => {
      if (!(outcome in OUTCOMES)) throw new CliError(`outcome must be success or failed, not "${outcome}".`);
      const config = cliConfig(io);
      if (config.dokuEnv === 'production') {
        throw new CliError(
          'Refused: DOKU_ENV=production. trigger makes up payment results; use it with the simulator or the DOKU sandbox.',
        );
      }
      const amount = o.amount === undefined ? await storedAmount(io, invoice) : Number(o.amount);
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new CliError('--amount must be whole rupiah, above 0.');
      const url = `${(o.url ?? config.publicUrl).replace(/\/+$/, '')}${config.notificationPath}`;
      if (!URL.canParse(url)) throw new CliError(`--url must be the BFF's URL, like ${config.publicUrl}.`);

      const now = new Date();
      const status = OUTCOMES[outcome as keyof typeof OUTCOMES];
      const body = JSON.stringify(
        notificationBody({
          invoiceNumber: invoice,
          amount,
          status,
          createdAt: now,
          decidedAt: now,
          requestId: newRequestId(),
          accountId: '6281200000000',
          approvalCode: status === 'SUCCESS' ? '000000' : '',
        }),
      );
      // Request-Target: the path DOKU would call, the one the BFF verifies against (its PUBLIC_URL's).
      const headers = signedHeaders({
        clientId: config.dokuClientId,
        secretKey: config.dokuSecretKey,
        target: new URL(url).pathname,
        body,
      });
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) }).catch(
        (err: Error) => {
          throw new CliError(`Could not reach ${url}: ${err.name}. Is the BFF running there?`);
        },
      );
      const answer = (await res.text()).slice(0, 500);
      io.out(`POST ${url} (${status}, ${amount}) -> ${res.status} ${answer}`);
      if (!res.ok) throw new CliError(`The BFF refused the notification (HTTP ${res.status}).`);
    });
}

async function storedAmount(io: CliIo, invoice: string): Promise<number> {
  const order = await withStore(io, (store) => store.getOrder(invoice));
  if (!order)
    throw new CliError(`No payment ${invoice} in the store (DATABASE_URL): give --amount to notify another BFF.`);
  return order.amount;
}
