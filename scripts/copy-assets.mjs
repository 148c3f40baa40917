// The BFF's files that are not TypeScript (SQL migrations, the demo catalog, the demo shop's and the
// simulator's page assets) go beside the compiled JavaScript, where the modules look for them.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ASSET = /\.(sql|json|js|css|svg|html)$/;

function copy(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copy(path);
    else if (ASSET.test(name)) cpSync(path, join('dist', relative('.', path)));
  }
}

copy('bff');
