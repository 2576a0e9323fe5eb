import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheControlOf, contentTypeOf } from '../../contract/site';

/** One file of the built web app, as the site bucket stores it. */
export interface SiteFile {
  /** Object key and URL path without the leading `/`: `index.html`, `assets/index-1a2b3c.js`. */
  readonly key: string;
  /** Path relative to the build folder, in the OS's form. */
  readonly relativePath: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** Hex MD5 of the bytes: the object's ETag, so a changed file is uploaded again. */
  readonly md5: string;
}

/** Whether `webRoot` holds a built app (its `index.html`). */
export function hasWebBuild(webRoot: string): boolean {
  return fs.existsSync(path.join(webRoot, 'index.html'));
}

/** Every regular file under `webRoot`, sorted by key. Throws when there is no `index.html`. */
export function readWebBuild(webRoot: string): SiteFile[] {
  if (!hasWebBuild(webRoot)) {
    throw new Error(`The site needs a built web app, but ${path.join(webRoot, 'index.html')} does not exist: run \`npm run build\` first (or turn the site off).`);
  }
  const files: SiteFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const relativePath = path.relative(webRoot, full);
        const key = relativePath.split(path.sep).join('/');
        files.push({
          key,
          relativePath,
          contentType: contentTypeOf(key),
          cacheControl: cacheControlOf(key),
          md5: createHash('md5').update(fs.readFileSync(full)).digest('hex'),
        });
      }
    }
  };
  walk(webRoot);
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
