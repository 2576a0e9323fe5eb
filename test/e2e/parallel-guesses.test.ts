/**
 * Parallel guesses against the lockouts, on a stack of its own (several sandboxes of each
 * function run at once there, as on Lambda): however many wrong passwords arrive together, no
 * more than the budget is ever evaluated (401), the rest are refused (429) before the password is
 * checked. Sources are told apart by the loopback address the request comes from (127.0.0.x).
 * Stage throttling is raised so that every 429 here is the lockout's, never the stage's.
 *
 * What counts is how many passwords the functions checked: on a busy machine some answers are
 * the gateway's 503 (its 30 s integration timeout) while the function goes on, so the checks
 * are counted in the functions' own log lines (`login failed`, `share unlock failed`), once the
 * last of them has ended.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { adminTokenOf, startOwnStack } from './support/own-stack';

jest.setTimeout(600_000);

/** The module's defaults: 5 wrong passwords per (user, source) or (share, source), 20 per source. */
const PER_SOURCE_BUDGET = 5;
const SOURCE_BUDGET = 20;
const GUESSES = 160;
const IN_FLIGHT = 8;

let stack: LocalStack;
let adminPassword: string;
const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-parallel-guesses-'));

interface Answer {
  readonly status: number;
  readonly body: { error?: { code?: string } } & Record<string, unknown>;
  readonly ms: number;
}

/** POSTs JSON to the own stack's API from `from` (a loopback address: the request's source). */
function post(route: string, body: unknown, from = '127.0.0.1', headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(route, stack.apiUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {}, ms: Date.now() - started });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Sends `count` requests, `inFlight` at a time (a new one as soon as one answers). */
async function inParallel(count: number, inFlight: number, send: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        answers[i] = await send(i);
      }
    }),
  );
  return answers;
}

/**
 * How many passwords the functions checked and found wrong, from their log lines that contain
 * every one of `marks`; waits until the count has stood still for 10 s (at most 2 minutes), so
 * invocations the gateway stopped waiting for are counted too.
 */
async function checkedPasswords(message: string, ...marks: string[]): Promise<number> {
  const count = (): number =>
    readFileSync(path.join(logDir, 'local-stack.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(`"message":"${message}"`) && marks.every((mark) => line.includes(mark))).length;
  let last = count();
  for (let still = 0, waited = 0; still < 10_000 && waited < 120_000; waited += 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = count();
    still = now === last ? still + 1000 : 0;
    last = now;
  }
  return last;
}

const statusCounts = (answers: readonly Answer[]): Record<number, number> => answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});

/** As the admin, with a fresh token (a slow run outlasts the 5-minute access token). */
async function authed(route: string, json: unknown): Promise<Answer> {
  return post(route, json, '127.0.0.1', { authorization: `Bearer ${await adminTokenOf(stack, adminPassword)}` });
}

async function passwordShare(password: string): Promise<{ token: string; id: string }> {
  const folder = `/guess-${randomBytes(4).toString('hex')}`;
  expect((await authed('/folders', { path: folder })).status).toBe(201);
  const created = await authed('/shares', { folder, password });
  expect(created.status).toBe(201);
  return { token: String(created.body.token), id: String((created.body.share as { id: string }).id) };
}

beforeAll(async () => {
  // A minute per invocation: scrypt in 4 sandboxes at once on a busy machine outlasts the default 10 s.
  ({ stack, adminPassword } = await startOwnStack(logDir, { timeout_seconds: 60, throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, public_throttling_rate_limit: 10_000, public_throttling_burst_limit: 10_000 }));
}, 480_000);

afterAll(async () => {
  await stack?.stop();
  if (process.env.KEEP_LOGS === undefined) rmSync(logDir, { recursive: true, force: true });
});

describe('parallel wrong logins', () => {
  it(`evaluate at most ${PER_SOURCE_BUDGET} of ${GUESSES} wrong passwords for one user from one source, ${IN_FLIGHT} at a time; the rest are 429 and the lock holds`, async () => {
    // Prepare
    const password = `right-${randomBytes(9).toString('base64url')}`;
    expect((await authed('/users', { username: 'target', role: 'editor', password })).status).toBe(201);
    // Act
    const answers = await inParallel(GUESSES, IN_FLIGHT, (i) => post('/auth/login', { username: 'target', password: `guess-${i}` }, '127.0.0.2'));
    const checked = await checkedPasswords('login failed', '"username":"target"');
    const rightFromThere = await post('/auth/login', { username: 'target', password }, '127.0.0.2');
    const rightFromElsewhere = await post('/auth/login', { username: 'target', password }, '127.0.0.3');
    // Assess
    const counts = statusCounts(answers);
    console.log(`parallel wrong logins, one user: ${checked} checked; answers ${JSON.stringify(counts)}`);
    expect(checked).toBeLessThanOrEqual(PER_SOURCE_BUDGET);
    expect(Object.keys(counts).filter((status) => !['401', '429', '503'].includes(status))).toEqual([]);
    expect(counts[429] ?? 0).toBeGreaterThanOrEqual(GUESSES - PER_SOURCE_BUDGET - (counts[503] ?? 0));
    expect(rightFromThere.status).toBe(429);
    expect(rightFromElsewhere.status).toBe(200);
  });

  it(`evaluate at most ${SOURCE_BUDGET} of ${GUESSES} wrong passwords sprayed over many usernames from one source`, async () => {
    // Act
    const answers = await inParallel(GUESSES, IN_FLIGHT, (i) => post('/auth/login', { username: `spray-${i}`, password: 'Winter2026!' }, '127.0.0.4'));
    const checked = await checkedPasswords('login failed', '"username":"spray-');
    const fromThere = await post('/auth/login', { username: 'target', password: 'anything-at-all' }, '127.0.0.4');
    // Assess
    const counts = statusCounts(answers);
    console.log(`parallel wrong logins, sprayed: ${checked} checked; answers ${JSON.stringify(counts)}`);
    expect(checked).toBeLessThanOrEqual(SOURCE_BUDGET);
    expect(Object.keys(counts).filter((status) => !['401', '429', '503'].includes(status))).toEqual([]);
    expect(counts[429] ?? 0).toBeGreaterThanOrEqual(GUESSES - SOURCE_BUDGET - (counts[503] ?? 0));
    expect(fromThere.status).toBe(429);
  });
});

describe('parallel wrong share passwords', () => {
  it(`evaluate at most ${PER_SOURCE_BUDGET} of ${GUESSES} wrong passwords from one source, ${IN_FLIGHT} at a time; the rest are 429`, async () => {
    // Prepare
    const { token, id } = await passwordShare('the right share password');
    // Act
    const answers = await inParallel(GUESSES, IN_FLIGHT, (i) => post(`/public/shares/${token}/unlock`, { password: `guess-${i}` }, '127.0.0.5'));
    const checked = await checkedPasswords('share unlock failed', `"shareId":"${id}"`);
    const rightFromThere = await post(`/public/shares/${token}/unlock`, { password: 'the right share password' }, '127.0.0.5');
    // Assess
    const counts = statusCounts(answers);
    console.log(`parallel wrong share passwords: ${checked} checked; answers ${JSON.stringify(counts)}`);
    expect(checked).toBeLessThanOrEqual(PER_SOURCE_BUDGET);
    expect(Object.keys(counts).filter((status) => !['401', '429', '503'].includes(status))).toEqual([]);
    expect(counts[429] ?? 0).toBeGreaterThanOrEqual(GUESSES - PER_SOURCE_BUDGET - (counts[503] ?? 0));
    expect(rightFromThere.status).toBe(429);
  });

  it('never close the share to its visitors: after wrong passwords from many sources, a new visitor with the right password gets in, after the 5 s wait', async () => {
    // Prepare: 6 sources × 5 wrong passwords each, 30 in all (the old rule closed the share after 20).
    const { token, id } = await passwordShare('the family password');
    const sources = Array.from({ length: 6 }, (_, i) => `127.0.0.${20 + i}`);
    const wrong = await inParallel(sources.length * PER_SOURCE_BUDGET, IN_FLIGHT, (i) => post(`/public/shares/${token}/unlock`, { password: `guess-${i}` }, sources[i % sources.length]));
    const checked = await checkedPasswords('share unlock failed', `"shareId":"${id}"`);
    // Act
    const visitor = await post(`/public/shares/${token}/unlock`, { password: 'the family password' }, '127.0.0.60');
    const typo = await post(`/public/shares/${token}/unlock`, { password: 'the family pasword' }, '127.0.0.61');
    // Assess
    console.log(`share-wide: ${checked} wrong checked (answers ${JSON.stringify(statusCounts(wrong))}), visitor ${visitor.status} in ${visitor.ms} ms, typo ${typo.status} in ${typo.ms} ms`);
    expect(statusCounts(wrong)[429]).toBeUndefined();
    expect(checked).toBe(sources.length * PER_SOURCE_BUDGET);
    expect(visitor.status).toBe(200);
    expect(typeof visitor.body.session).toBe('string');
    // 30 attempts on the share before it: the longest wait, 5 s, before its password was checked.
    expect(visitor.ms).toBeGreaterThanOrEqual(5000);
    expect(typo.status).toBe(401);
  });
});
