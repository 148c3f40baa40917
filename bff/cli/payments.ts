// `linkaja-pay payments list|show` and `linkaja-pay check`: the store read directly (DATABASE_URL), so
// they work on the server whether or not the BFF runs and without MERCHANT_API_KEY.
import type { Command } from 'commander';
import type { z } from 'zod';
import { PaymentListQuery } from '../../shared/server-api.ts';
import { describeIssues, issuesOf } from '../lib/issues.ts';
import { checkPayment, listPayments, showPayment } from '../operations/operations.ts';
import { CliError, operationsDeps, withStore, type CliIo } from './context.ts';
import { paymentRows, paymentSummary } from './format.ts';

/** Options read through the server API's own schema, so both refuse the same values. */
export function parsed<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new CliError(describeIssues(what, issuesOf(result.error)));
  return result.data;
}

const printJson = (io: CliIo, value: unknown) => io.out(JSON.stringify(value, null, 2));

export function paymentCommands(program: Command, io: CliIo): void {
  const payments = program.command('payments').description('Look payments up in the store (DATABASE_URL).');

  payments
    .command('list')
    .description('Payments, newest first.')
    .option('--reference <ref>', 'your order id (order token ref)')
    .option('--status <status>', 'PENDING, SUCCESS, FAILED or EXPIRED')
    .option('--since <time>', 'created at or after this ISO 8601 time')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--json', "the server API's JSON")
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const filter = parsed(
        PaymentListQuery,
        { reference: o.reference, status: o.status, created_after: o.since, limit: o.limit, cursor: o.cursor },
        'options',
      );
      const page = await withStore(io, (store) => listPayments({ store }, filter));
      if (o.json) return printJson(io, page);
      if (page.data.length === 0) return io.out('No payments.');
      paymentRows(page.data).forEach((l) => io.out(l));
      if (page.next_cursor) io.out(`More: --cursor ${page.next_cursor}`);
    });

  payments
    .command('show <invoice>')
    .description('One payment: reference, metadata, customer, items and its history.')
    .option('--json', "the server API's JSON")
    .action(async (invoice: string, o: { json?: boolean }) => {
      const payment = await withStore(io, (store) => showPayment({ store }, invoice));
      if (o.json) printJson(io, payment);
      else paymentSummary(payment).forEach((l) => io.out(l));
    });

  program
    .command('check <invoice>')
    .description("Ask DOKU's Check Status about a payment now and apply the answer.")
    .option('--json', "the server API's JSON")
    .action(async (invoice: string, o: { json?: boolean }) => {
      const result = await withStore(io, (store, config) => checkPayment(operationsDeps(io, store, config), invoice));
      if (o.json)
        return printJson(io, { ...result.payment, check: { doku_status: result.dokuStatus, outcome: result.outcome } });
      io.out(
        result.dokuStatus === null
          ? 'DOKU does not know this invoice: nothing changed.'
          : `DOKU says ${result.dokuStatus}: ${result.outcome.replace('_', ' ')}.`,
      );
      paymentSummary(result.payment).forEach((l) => io.out(l));
    });
}
