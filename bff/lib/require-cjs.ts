// CommonJS packages loaded with `require` instead of `import`. Node scans every CommonJS module an ES
// module imports for its named exports (its CJS lexer); with a few more of them at start-up, V8
// optimizes that lexer on a background thread whose memory then stays resident: 3–5 MB of the idle
// server's RSS, measured (71–74 MB against 69–70 MB). Only for packages used through their default
// export, with their types imported as types.
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
