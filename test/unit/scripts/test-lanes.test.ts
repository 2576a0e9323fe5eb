import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LANES, projectsInNoLane, runLanes, selectedProjects, summary, type Lane } from '../../../scripts/test-lanes';

const node = (script: string): { command: string; args: string[] } => ({ command: process.execPath, args: ['-e', script] });

describe('the lanes of npm test', () => {
  it('select every jest project of jest.config.js, each in exactly one lane', () => {
    const config = require('../../../jest.config.js') as { projects: { displayName: string }[] };
    const names = new Set([...config.projects.map((p) => p.displayName), 'terraform']);
    const selected = LANES.flatMap((lane) => lane.steps.flatMap(selectedProjects));

    expect(projectsInNoLane([...names])).toEqual([]);
    expect([...selected].sort()).toEqual([...names].sort());
  });

  it('name a project left out of every lane', () => {
    expect(projectsInNoLane(['unit', 'e2e', 'new-project'])).toEqual(['new-project']);
  });
});

describe('runLanes', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'media-store-lanes-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the lanes side by side: each waits for a file only the other writes', async () => {
    // Run one after the other, the first lane would wait in vain and fail.
    const rendezvous = (mine: string, theirs: string): string =>
      `const fs=require('fs');fs.writeFileSync(${JSON.stringify(path.join(dir, mine))},'');` +
      `const until=Date.now()+20000;(function wait(){if(fs.existsSync(${JSON.stringify(path.join(dir, theirs))}))process.exit(0);` +
      `if(Date.now()>until)process.exit(1);setTimeout(wait,50)})()`;
    const lanes: Lane[] = [
      { name: 'A', steps: [node(rendezvous('a', 'b'))] },
      { name: 'B', steps: [node(rendezvous('b', 'a'))] },
    ];

    const results = await runLanes(lanes, () => undefined, dir);

    expect(results.map((r) => r.passed)).toEqual([true, true]);
  }, 30_000);

  it("fails when one step fails, still runs the lane's later steps, and prints each lane's output between its labelled rules", async () => {
    let printed = '';
    const lanes: Lane[] = [
      { name: 'A', steps: [node("console.log('alpha first'); process.exit(3)"), node("console.error('alpha second')")] },
      { name: 'B', steps: [node("console.log('beta only')")] },
    ];

    const results = await runLanes(lanes, (text) => (printed += text), dir);

    expect(results.map((r) => [r.lane.name, r.passed, r.steps.map((s) => s.exit)])).toEqual([
      ['A', false, [3, 0]],
      ['B', true, [0]],
    ]);
    const block = (name: string): string => {
      const start = printed.search(new RegExp(`━+ lane ${name}: `));
      const end = printed.search(new RegExp(`━+ lane ${name} (passed|FAILED) in`));
      return start >= 0 && end > start ? printed.slice(start, end) : '';
    };
    expect(block('A')).toContain('alpha first');
    expect(block('A')).toContain('alpha second');
    expect(block('A')).not.toContain('beta only');
    expect(block('B')).toContain('beta only');
    expect(printed).toMatch(/━+ lane A FAILED in/);
    expect(summary(results, 1000)).toMatch(/lane A: FAILED[\s\S]*FAILED .*alpha first[\s\S]*lane B: passed/);
  }, 30_000);
});
