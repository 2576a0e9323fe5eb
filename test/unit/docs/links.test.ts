/**
 * The README stays a short front page and every link in the docs leads somewhere: relative
 * links name files that exist, and #anchors name headings (GitHub's slugs) of their page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const pages = ['README.md', 'cli/README.md', 'local/README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (heading) anchors.add(slug(heading[1]));
  }
  return anchors;
}

function linksOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const markdown = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const html = [...text.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]);
  return [...markdown, ...html].filter((target) => !/^[a-z]+:/i.test(target));
}

describe('the documentation', () => {
  it('keeps README.md at most 250 lines', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(250);
  });

  it.each(pages)('%s links only to files and headings that exist', (page) => {
    const file = path.join(root, page);
    const broken = linksOf(file).filter((link) => {
      const [target, anchor] = link.split('#');
      const resolved = target ? path.resolve(path.dirname(file), decodeURIComponent(target)) : file;
      if (!fs.existsSync(resolved)) return true;
      return anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});
