// `node dist/bff/server.js`: the BFF configured from the environment (see serve.ts). The server's
// modules are loaded only once the young generation is held small (parsing them is what grows it).
import { letYoungGenerationGrow } from './lib/young-generation.ts';

const { serve } = await import('./serve.ts');
await serve();
letYoungGenerationGrow();
