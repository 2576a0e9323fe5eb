/**
 * `npm run bench`: every `bench:*` script of package.json, one after another (in the order
 * package.json lists them), so a bench added later runs without editing this file.
 * Exits non-zero when any of them failed, after running the rest.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function benchScripts(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return Object.keys(manifest.scripts ?? {}).filter((name) => name.startsWith('bench:'));
}

function main(): void {
  const names = benchScripts();
  const failed: string[] = [];
  for (const name of names) {
    console.log(`\n=== npm run ${name} ===`);
    const result = spawnSync('npm', ['run', '--silent', name], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) failed.push(name);
  }
  console.log(`\n=== ${names.length - failed.length} of ${names.length} benches ran: ${names.join(', ')} ===`);
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
