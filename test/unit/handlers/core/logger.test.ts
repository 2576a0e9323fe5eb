import { createLogger, redact, REDACTED } from '../../../../handlers/core/logger';

function capture(): { lines: Record<string, unknown>[]; write: (line: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes one JSON object per line with level, time and message', () => {
    const out = capture();
    createLogger({ write: out.write, clock: () => new Date(0), fields: { fn: 'auth' } }).info('hello', { n: 1 });
    expect(out.lines).toEqual([{ level: 'info', time: '1970-01-01T00:00:00.000Z', message: 'hello', fn: 'auth', n: 1 }]);
  });

  it('drops lines below the level', () => {
    const out = capture();
    const logger = createLogger({ write: out.write, level: 'warn' });
    logger.info('quiet');
    logger.warn('loud');
    expect(out.lines.map((l) => l.message)).toEqual(['loud']);
  });

  describe('redaction', () => {
    it('hides values under sensitive keys at any depth', () => {
      const out = capture();
      createLogger({ write: out.write }).info('login', {
        username: 'ana',
        password: 'hunter2hunter2',
        body: { headers: { Authorization: 'Bearer abc', cookie: 'c' }, jwtSecret: 's3cr3t', passwordHash: 'scrypt$...' },
      });
      const line = JSON.stringify(out.lines[0]);
      expect(line).not.toMatch(/hunter2|s3cr3t|scrypt\$|Bearer abc/);
      expect(out.lines[0]).toMatchObject({ username: 'ana', password: REDACTED, body: { headers: { Authorization: REDACTED, cookie: REDACTED }, jwtSecret: REDACTED } });
    });

    it('hides JWTs, bearer tokens and presigned URL signatures inside strings and error messages', () => {
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJl';
      const url = 'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F20240101&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok';
      const error = new Error(`bad token ${jwt} for ${url}`);
      const out = capture();
      createLogger({ write: out.write }).error('failed', { error, note: `Bearer ${jwt}` });
      const line = JSON.stringify(out.lines[0]);
      expect(line).not.toContain(jwt);
      expect(line).not.toMatch(/deadbeef|AKIA|=tok/);
      expect(line).toContain('X-Amz-Signature=[REDACTED]');
    });

    it('keeps error name, code and cause but survives cycles', () => {
      const cause = Object.assign(new Error('inner'), { code: 'E1' });
      const error = new Error('outer', { cause });
      const cyclic: Record<string, unknown> = { error };
      cyclic.self = cyclic;
      const result = redact(cyclic) as { error: { name: string; cause: { code: string } }; self: unknown };
      expect(result.error).toMatchObject({ name: 'Error', message: 'outer', cause: { message: 'inner', code: 'E1' } });
      expect(result.self).toBe('[Truncated]');
    });
  });
});
