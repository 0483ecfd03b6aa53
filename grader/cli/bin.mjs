#!/usr/bin/env node
// The `netgrade` executable. The grader is TypeScript run by Node 24's type stripping; when
// this shim is started by an older Node (a system Node 20), it re-runs itself on the Node 24
// that the project's `node` devDependency installed. Plain JS so any Node can start it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./netgrade.ts', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)) {
  const { main } = await import(cli);
  // As netgrade.ts does when run directly: exit once the reports are written.
  process.exit(await main(process.argv.slice(2)));
} else {
  const node24 = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(node24)) {
    process.stderr.write(`netgrade needs Node 24 (this is ${process.version}). Run \`npm ci\` in the netgrade folder, or install Node 24.\n`);
    process.exit(2);
  }
  const result = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 3);
}
