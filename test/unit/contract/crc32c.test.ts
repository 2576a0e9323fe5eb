import { randomBytes } from 'node:crypto';
import { createCRC32 } from 'hash-wasm';
import { Crc32c, crc32cBase64, crc32cOf } from '../../../contract/crc32c';
import { checksumHeader, isBase64Checksum, PART_CHECKSUM_ALGORITHM } from '../../../contract/multipart';
import { crc32cBitwise } from '../support';

const bytes = (values: Iterable<number>): Uint8Array => Uint8Array.from(values);

describe('Crc32c', () => {
  // RFC 3720 (iSCSI) appendix B.4, and the CRC catalogue's check value.
  it.each([
    ['no bytes', new Uint8Array(0), 0x00000000],
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
    ['32 bytes of zeros', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of ones', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes', bytes(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['32 decrementing bytes', bytes(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ])('computes the known CRC-32C of %s', (_, input, expected) => {
    expect(new Crc32c().update(input).value()).toBe(expected);
  });

  it('answers S3\'s form: the 4 bytes big-endian in base64', () => {
    expect(crc32cOf(new TextEncoder().encode('123456789'))).toBe('4waSgw==');
    expect(crc32cBase64(0x00000001)).toBe('AAAAAQ==');
    expect(isBase64Checksum('CRC32C', crc32cOf(randomBytes(100)))).toBe(true);
  });

  it('gives the same checksum whatever the chunks and their alignment, as the bitwise definition and hash-wasm do', async () => {
    const data = randomBytes(1 << 20);
    const wasm = await createCRC32(0x82f63b78);
    for (const offset of [0, 1, 2, 3, 5]) {
      const body = data.subarray(offset, offset + 300_001);
      wasm.init();
      wasm.update(body);
      const expected = Buffer.from(wasm.digest('hex'), 'hex').toString('base64');
      const chunked = new Crc32c();
      for (let at = 0; at < body.length; ) {
        const size = 1 + ((at * 7919) % 70_001);
        chunked.update(body.subarray(at, at + size));
        at += size;
      }
      expect(crc32cOf(body)).toBe(expected);
      expect(chunked.base64()).toBe(expected);
      expect(crc32cBitwise(body)).toBe(expected);
    }
  });
});

describe('the part checksum algorithm', () => {
  it('is CRC32C, sent in x-amz-checksum-crc32c', () => {
    expect(PART_CHECKSUM_ALGORITHM).toBe('CRC32C');
    expect(checksumHeader(PART_CHECKSUM_ALGORITHM)).toBe('x-amz-checksum-crc32c');
    expect(checksumHeader('SHA256')).toBe('x-amz-checksum-sha256');
  });

  it.each([
    ['hex', 'e3069283'],
    ['unpadded', '4waSgw'],
    ['5 bytes', Buffer.from([1, 2, 3, 4, 5]).toString('base64')],
    ['non-canonical last character', '4waSgx=='],
    ['a SHA-256', Buffer.alloc(32).toString('base64')],
    ['a number', 42],
  ])('refuses %s as a CRC-32C', (_, value) => {
    expect(isBase64Checksum('CRC32C', value)).toBe(false);
  });
});
