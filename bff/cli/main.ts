#!/usr/bin/env node
// The `linkaja-pay` command. It reads the same configuration (the environment) as the server. Its
// modules are loaded only once the young generation is set (see lib/young-generation.ts).
import '../lib/young-generation.ts';

const { processIo } = await import('./context.ts');
const { runCli } = await import('./program.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
