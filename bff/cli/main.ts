#!/usr/bin/env node
// The `linkaja-pay` command. It reads the same configuration (the environment) as the server.
import { processIo } from './context.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo());
