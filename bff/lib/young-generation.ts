// Imported first by the standalone entries (`node dist/bff/server.js`, the `linkaja-pay` command), never
// by the library a merchant mounts: their process keeps its own V8 settings.
//
// V8 doubles its young generation (each semi-space 1 MB at first, up to 16 MB) whenever many objects
// survive a scavenge: loading the server's modules alone takes it to 8 MB, resident for the life of the
// process even when it then sits idle. So it is held at its first size while the server starts, and let
// grow again (V8's default factor) once it listens: under load a small one costs throughput (measured
// on the built server: status reads at 0.48 of bare Express held small, 0.69 let grow; 10x the scavenges).
import { setFlagsFromString } from 'node:v8';

// V8 reads this factor at each growth: set it before the modules are loaded (an entry imports them after).
setFlagsFromString('--semi-space-growth-factor=1');

/** Started: the young generation may grow under load again. */
export function letYoungGenerationGrow(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
