// Imported first by the standalone entries (`node dist/bff/server.js`, the `linkaja-pay` command), never
// by the library a merchant mounts: their process keeps its own V8 settings.
//
// V8 doubles its young generation (each semi-space 1 MB at first, up to 16 MB) whenever many objects
// survive a scavenge: loading the server's modules alone takes it to 8 MB, and holding thousands of
// status streams to the maximum, resident for the life of the process. Keeping it at its first size
// costs more frequent, smaller scavenges. Measured on the built server (see the commit): idle RSS and
// the RSS that 10,000 open streams add both fall, while status reads keep their rate.
import { setFlagsFromString } from 'node:v8';

// V8 reads this factor at each growth: set it before the modules are loaded (an entry imports them after).
setFlagsFromString('--semi-space-growth-factor=1');
