/**
 * The client layer's walls: the CLI and the web app share client/ and contract/, never each
 * other's files, and client/ runs in both (no Node built-ins, no CLI, web or handler code).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourcesUnder(rel);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [rel] : [];
  });
}

/** Every module a file imports, as a path from the root for relative imports, else the bare name. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => {
    const spec = (m[1] ?? m[2]) as string;
    return spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)) : spec;
  });
}

const offending = (dir: string, forbidden: (imported: string) => boolean): string[] =>
  sourcesUnder(dir).flatMap((file) => importsOf(file).filter(forbidden).map((imported) => `${file} → ${imported}`));

describe('the client layer', () => {
  it('keeps the web app out of the CLI and the handlers', () => {
    expect(offending('web', (i) => i.startsWith('cli/') || i.startsWith('handlers/'))).toEqual([]);
  });

  it('keeps the CLI out of the web app', () => {
    expect(offending('cli', (i) => i.startsWith('web/'))).toEqual([]);
  });

  it('runs in both: client/ imports only itself and contract/', () => {
    const files = sourcesUnder('client');
    expect(files.length).toBeGreaterThan(0);
    expect(offending('client', (i) => !i.startsWith('client/') && !i.startsWith('contract/'))).toEqual([]);
  });
});
