// `npm run doctor`: check this environment's configuration without starting the BFF.
import { runDoctor } from './doctor.ts';

process.exitCode = await runDoctor(process.env, process.stdout);
