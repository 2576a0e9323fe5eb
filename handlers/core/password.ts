/**
 * Password hashing with scrypt. The encoding carries its parameters
 * (`scrypt$N=32768,r=8,p=1$<salt>$<hash>`), so the cost can be raised later without
 * invalidating stored hashes. Verification compares in constant time, and verifying against
 * no hash at all still spends one full scrypt on a dummy hash, so an unknown user costs the
 * same time as a wrong password.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * OWASP's minimum for scrypt (N=2^17, r=8, p=1): 128 MiB and about 350 ms per hash on one
 * core, within the login function's 512 MB. Hashes made with weaker parameters are re-hashed
 * at the user's next successful login (`needsRehash`).
 */
const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function checkParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new Error('Invalid scrypt parameters');
  }
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) throw new Error(`Password must be 1 to ${MAX_PASSWORD_LENGTH} characters`);
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface DecodedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function decodeHash(encoded: string): DecodedHash | undefined {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(encoded);
  if (!match) return undefined;
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  try {
    checkParams(params);
  } catch {
    return undefined;
  }
  const salt = Buffer.from(match[4] as string, 'base64url');
  const key = Buffer.from(match[5] as string, 'base64url');
  return salt.length >= SALT_BYTES && key.length === KEY_BYTES ? { params, salt, key } : undefined;
}

let dummyHash: Promise<string> | undefined;
/**
 * A hash of a random password for users that do not exist, computed once per process.
 * Call at cold start so the first unknown-user login does not pay for it (a timing tell).
 */
export function prepareDummyHash(params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'), params);
  return dummyHash;
}

/**
 * Whether `password` matches `encoded`. With `encoded` undefined (unknown user) or
 * unreadable, it hashes against a dummy and returns false, taking the same time.
 */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  const candidate = password.length > MAX_PASSWORD_LENGTH ? password.slice(0, MAX_PASSWORD_LENGTH) : password;
  const decoded = encoded === undefined ? undefined : decodeHash(encoded);
  const target = decoded ?? (decodeHash(await prepareDummyHash()) as DecodedHash);
  const key = await scrypt(candidate, target.salt, target.params);
  return timingSafeEqual(key, target.key) && decoded !== undefined && password.length <= MAX_PASSWORD_LENGTH;
}

/** Whether a stored hash uses weaker parameters than the current default. */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const decoded = decodeHash(encoded);
  return decoded === undefined || decoded.params.N < params.N || decoded.params.r < params.r || decoded.params.p < params.p;
}
