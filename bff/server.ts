// `node dist/bff/server.js`: the BFF configured from the environment (see serve.ts).
import { serve } from './serve.ts';

await serve();
