// `linkaja-pay token`: an order token signed with ORDER_TOKEN_SECRET, as a merchant's backend signs one
// (HS256, iat, exp), checked against the same claims schema the BFF verifies with. For tests, and for
// a merchant trying order tokens out before writing their own signer.
import type { Command } from 'commander';
import { SignJWT } from 'jose';
import { describeIssues, issuesOf } from '../lib/issues.ts';
import { ORDER_TOKEN_MAX_LIFETIME_S, OrderTokenClaims } from '../orders/sources.ts';
import { cliConfig, CliError, type CliIo } from './context.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** "Kopi Susu:18000:2": the name may hold colons; price and quantity are the last two fields. */
function lineItem(spec: string) {
  const m = /^(.+):(\d+):(\d+)$/.exec(spec);
  if (!m) throw new CliError(`--item "${spec}" must be name:price:quantity, e.g. "Kopi Susu:18000:2".`);
  return { name: m[1], price: Number(m[2]), quantity: Number(m[3]) };
}

function metadataPair(spec: string): [string, string] {
  const at = spec.indexOf('=');
  if (at < 1) throw new CliError(`--metadata "${spec}" must be key=value.`);
  return [spec.slice(0, at), spec.slice(at + 1)];
}

export function tokenCommand(program: Command, io: CliIo): void {
  program
    .command('token')
    .description('Print an order token signed with ORDER_TOKEN_SECRET.')
    .option('--item <name:price:quantity>', 'a line, price in whole rupiah (repeat for more lines)', collect, [])
    .option('--ref <ref>', 'your order id')
    .option('--metadata <key=value>', 'a metadata pair (repeat for more)', collect, [])
    .option('--ttl <seconds>', `how long it stays valid (at most ${ORDER_TOKEN_MAX_LIFETIME_S})`, '600')
    .action(async (o: { item: string[]; ref?: string; metadata: string[]; ttl: string }) => {
      const { orderTokenSecret } = cliConfig(io);
      if (!orderTokenSecret) throw new CliError('ORDER_TOKEN_SECRET is not set: the BFF takes no order tokens.');
      if (o.item.length === 0) throw new CliError('Give at least one --item name:price:quantity.');
      const iat = Math.floor(Date.now() / 1000);
      const claims = OrderTokenClaims.safeParse({
        items: o.item.map(lineItem),
        ref: o.ref,
        metadata: o.metadata.length ? Object.fromEntries(o.metadata.map(metadataPair)) : undefined,
        iat,
        exp: iat + Number(o.ttl),
      });
      if (!claims.success) throw new CliError(describeIssues('token', issuesOf(claims.error)));
      const ttl = claims.data.exp - iat;
      if (!(ttl > 0 && ttl <= ORDER_TOKEN_MAX_LIFETIME_S)) {
        throw new CliError(`--ttl must be 1 to ${ORDER_TOKEN_MAX_LIFETIME_S} seconds.`);
      }
      const { iat: _, exp, ...payload } = claims.data;
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(orderTokenSecret));
      io.out(token);
    });
}
