#!/usr/bin/env node
// The `linkaja-pay` command. It reads the same configuration (the environment) as the server. Its
// modules are loaded only once the young generation is held small (see lib/young-generation.ts).
import { letYoungGenerationGrow } from '../lib/young-generation.ts';

const { processIo } = await import('./context.ts');
const { runCli } = await import('./program.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
// `serve` returns once the server listens; it then runs on.
letYoungGenerationGrow();
