#!/usr/bin/env node
// The `linkaja-pay` command. It reads the same configuration (the environment) as the server.
import { Command } from 'commander';
import { runDoctor } from '../config/doctor.ts';
import { serve } from '../serve.ts';

const program = new Command()
  .name('linkaja-pay')
  .description('Accept LinkAja e-money through DOKU: the BFF server and its operator tools.')
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the BFF, configured from the environment (PORT, PUBLIC_URL, DOKU_ENV, DATABASE_URL, ...).')
  .action(() => serve());

program
  .command('doctor')
  .description('Check the configuration without starting the server: every problem and warning, secrets masked.')
  .action(async () => {
    process.exitCode = await runDoctor(process.env, process.stdout);
  });

await program.parseAsync();
