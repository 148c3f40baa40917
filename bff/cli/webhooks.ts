// `linkaja-pay webhooks list|resend|secret`: the webhook outbox in the store (DATABASE_URL); a resent
// delivery is sent by the running BFF (any instance) at its next look at the outbox, within seconds.
import type { Command } from 'commander';
import { WebhookDeliveryQuery } from '../../shared/server-api.ts';
import { listDeliveries, resendDelivery } from '../operations/operations.ts';
import { newWebhookSecret } from '../webhooks/standard-webhooks.ts';
import { CliError, withStore, type CliIo } from './context.ts';
import { deliveryRows } from './format.ts';
import { parsed } from './payments.ts';

export function webhookCommands(program: Command, io: CliIo): void {
  const webhooks = program.command('webhooks').description('Webhooks to your backend: deliveries, resends, a secret.');

  webhooks
    .command('list')
    .description('Deliveries, newest first.')
    .option('--status <status>', 'pending, delivered or failed (given up)')
    .option('--invoice <invoice>', 'of one payment')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--json', "the server API's JSON")
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const filter = parsed(
        WebhookDeliveryQuery,
        { status: o.status, invoice: o.invoice, limit: o.limit, cursor: o.cursor },
        'options',
      );
      const page = await withStore(io, (store) => listDeliveries({ store }, filter));
      if (o.json) return io.out(JSON.stringify(page, null, 2));
      if (page.data.length === 0) return io.out('No webhook deliveries.');
      deliveryRows(page.data).forEach((l) => io.out(l));
      if (page.next_cursor) io.out(`More: --cursor ${page.next_cursor}`);
    });

  webhooks
    .command('resend <id>')
    .description('Queue a delivery again (delivered or not): the running BFF sends it, with the same webhook-id.')
    .action(async (raw: string) => {
      const id = Number(raw);
      if (!Number.isSafeInteger(id) || id < 1) throw new CliError(`"${raw}" is not a delivery id (see webhooks list).`);
      const d = await withStore(io, (store, config) =>
        resendDelivery({ store, webhooksConfigured: config.merchantWebhookUrl !== undefined }, id),
      );
      io.out(`Delivery ${d.id} (${d.webhook_id}, ${d.type}) is queued: the running BFF sends it within seconds.`);
    });

  webhooks
    .command('secret')
    .description('Print a new MERCHANT_WEBHOOK_SECRET (whsec_...): give the same value to your backend.')
    .action(() => io.out(newWebhookSecret()));
}
