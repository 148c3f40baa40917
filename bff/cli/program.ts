// The `linkaja-pay` command as a commander program built around its output, so the bin and the tests
// run the very same commands: `runCli(argv, io)` resolves with the exit code.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { runDoctor } from '../config/doctor.ts';
import { GatewayError } from '../doku/client.ts';
import { OrderError } from '../orders/errors.ts';
import { serve } from '../serve.ts';
import { CliError, type CliIo } from './context.ts';
import { paymentCommands } from './payments.ts';
import { tokenCommand } from './token.ts';
import { triggerCommand } from './trigger.ts';
import { webhookCommands } from './webhooks.ts';

/** What the command says its exit code is when it ends normally (doctor: 1 on a problem). */
interface Outcome {
  code: number;
}

export function cliProgram(io: CliIo, outcome: Outcome = { code: 0 }): Command {
  const program = new Command()
    .name('linkaja-pay')
    .description('Accept LinkAja e-money through DOKU: the BFF server and its operator tools.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });

  program
    .command('serve')
    .description('Run the BFF, configured from the environment (PORT, PUBLIC_URL, DOKU_ENV, DATABASE_URL, ...).')
    .action(() => serve(io.env));

  program
    .command('doctor')
    .description('Check the configuration without starting the server: every problem and warning, secrets masked.')
    .action(async () => {
      // The report is line-oriented text; io.out takes it a line at a time.
      let pending = '';
      const out = {
        write(text: string) {
          const lines = (pending + text).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) io.out(line);
        },
      };
      outcome.code = await runDoctor(io.env, out);
      if (pending) io.out(pending);
    });

  paymentCommands(program, io);
  webhookCommands(program, io);
  triggerCommand(program, io);
  tokenCommand(program, io);
  return program;
}

/** Run one command line (without the node and script arguments); errors become a line and exit code 1. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const outcome = { code: 0 };
    await cliProgram(io, outcome).parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has said what was wrong
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.err(`config: ${p}`);
      return 1;
    }
    // Errors written for a person; anything else is reported by name and message only.
    if (err instanceof CliError || err instanceof OrderError || err instanceof GatewayError) io.err(err.message);
    else io.err(`error: ${(err as Error).name}: ${(err as Error).message}`);
    return 1;
  }
}
