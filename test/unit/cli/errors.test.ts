import { ApiError, StorageError } from '../../../client/errors';
import { CliError, describeError, exitCodeOf, UsageError } from '../../../cli/errors';

const systemError = (code: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(`${code} happened`), { code, ...extra });

describe('describeError', () => {
  it('tells the user to log in on a 401', () => {
    expect(describeError(new ApiError(401, 'Unauthorized', 'Unauthorized', 'GET /files'))).toBe('not logged in or token expired: run media-store login');
  });

  it('tells the user to log in when API Gateway refuses the token (its own 403, without our error code)', () => {
    expect(describeError(new ApiError(403, 'Http403', 'Forbidden', 'GET /files'))).toBe('not logged in or token expired: run media-store login');
  });

  it.each([
    [403, 'forbidden: viewers cannot upload files'],
    [404, 'not found: viewers cannot upload files'],
    [413, 'too large: viewers cannot upload files'],
    [415, 'unsupported file type: viewers cannot upload files'],
  ])('names the %s answer with the API message', (status, line) => {
    expect(describeError(new ApiError(status, 'X', 'viewers cannot upload files', 'POST /uploads'))).toBe(line);
  });

  it('says the connection was refused, naming the host, also when wrapped as fetch does', () => {
    const fetchFailure = Object.assign(new TypeError('fetch failed'), { cause: systemError('ECONNREFUSED') });

    expect(describeError(fetchFailure, { url: 'http://127.0.0.1:3000' })).toBe('cannot connect to 127.0.0.1:3000: connection refused (is the API running, is the URL right?)');
  });

  it('says offline for DNS failures and a full disk for ENOSPC with the path', () => {
    expect(describeError(systemError('ENOTFOUND'), { url: 'https://api.example.com' })).toBe('cannot resolve api.example.com: offline or wrong URL');
    expect(describeError(systemError('ENOSPC', { path: '/tmp/out.mov' }))).toBe('disk full while writing /tmp/out.mov');
    expect(describeError(systemError('ENOENT', { path: 'missing.jpg' }))).toBe('no such file or directory: missing.jpg');
  });

  it('keeps S3 refusals and CLI errors on one line', () => {
    expect(describeError(new StorageError(403, 'SignatureDoesNotMatch', 'bad sig'))).toBe('storage refused the transfer (403 SignatureDoesNotMatch): bad sig');
    expect(describeError(new Error('first line\n    at stack frame'))).toBe('unexpected error: first line');
  });
});

describe('exitCodeOf', () => {
  it('is 2 for usage errors and 1 for everything else', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new CliError('x'))).toBe(1);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('StorageError.isExpiredUrl', () => {
  it('recognizes S3 refusing an expired presigned URL, and nothing else', () => {
    expect(new StorageError(403, 'AccessDenied', 'Request has expired').isExpiredUrl).toBe(true);
    expect(new StorageError(403, 'AccessDenied', 'Access Denied').isExpiredUrl).toBe(false);
    expect(new StorageError(400, 'ExpiredToken', 'expired').isExpiredUrl).toBe(false);
  });
});
