/**
 * The local stack is reachable from this machine only: every socket its processes listen on
 * (the API, S3, SNS, DynamoDB Local's Java, anything else) is bound to a loopback address,
 * read from /proc/net/tcp and tcp6 for the socket inodes the processes hold — no packet is
 * sent anywhere to find out. Its `.local/` folder and data are readable by their owner only.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileLogger } from '../../../local/log';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { e2eContext } from '../support/context';

interface ListeningSocket {
  readonly address: string;
  readonly port: number;
  readonly pid: number;
}

/** This process and every process below it (the Java of DynamoDB Local runs under a shell watchdog). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** `/proc/net/tcp*` address `0100007F:1F90` (IPv4) or 32 hex digits (IPv6), each 32-bit word little-endian. */
function decodeAddress(hex: string): { address: string; port: number } {
  const [host = '', port = ''] = hex.split(':');
  const words = (host.match(/.{8}/g) ?? []).map((word) => Buffer.from(word, 'hex').reverse());
  const bytes = Buffer.concat(words);
  if (bytes.length === 4) return { address: [...bytes].join('.'), port: parseInt(port, 16) };
  const groups = (bytes.toString('hex').match(/.{4}/g) ?? []).map((g) => g.replace(/^0+(?=.)/, ''));
  const mapped = groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff';
  const address = mapped ? `::ffff:${[...bytes.subarray(12)].join('.')}` : groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return { address, port: parseInt(port, 16) };
}

function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) for (const inode of socketInodes(pid)) owner.set(inode, pid);
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state] = fields;
      const inode = fields[9];
      const pid = inode === undefined ? undefined : owner.get(inode);
      if (local === undefined || state !== '0A' || pid === undefined) continue;
      sockets.push({ ...decodeAddress(local), pid });
    }
  }
  return sockets;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const portOf = (url: string): number => Number(new URL(url).port);

describe('the local stack on this machine only', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'media-store-loopback-'));
  let stack: LocalStack;

  beforeAll(async () => {
    // Not in memory: DynamoDB Local with its data folder, S3 on disk, `.local/` as `npm start` makes it.
    process.umask(0o022);
    stack = await startLocalStack({
      projectRoot: root,
      planDir: e2eContext().planDir,
      port: 0,
      adminPassword: 'loopback-test-password-0123',
      logger: fileLogger(path.join(root, 'local-stack.log')),
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('binds every listening socket of its processes, Java included, to a loopback address', () => {
    const sockets = listeningSockets(processTree(process.pid));

    const ports = new Set(sockets.map((s) => s.port));
    for (const endpoint of [stack.apiUrl, stack.s3Endpoint, stack.dynamodbEndpoint, stack.snsEndpoint]) expect(ports).toContain(portOf(endpoint));
    // The DynamoDB endpoint is the checking front in this process; DynamoDB Local (Java) listens behind it.
    expect(sockets.some((s) => s.pid !== process.pid)).toBe(true);
    expect(sockets.filter((s) => !LOOPBACK.test(s.address))).toEqual([]);
  });

  it('creates .local/ and its data folder readable by their owner only', () => {
    for (const dir of ['.local', '.local/data', '.local/data/dynamodb']) {
      expect({ dir, mode: (statSync(path.join(root, dir)).mode & 0o777).toString(8) }).toEqual({ dir, mode: '700' });
    }
  });

  it('decodes /proc/net addresses of both families', () => {
    expect(decodeAddress('0100007F:1F90')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(decodeAddress('00000000:0050')).toEqual({ address: '0.0.0.0', port: 80 });
    expect(decodeAddress('0000000000000000FFFF00000100007F:1F90')).toEqual({ address: '::ffff:127.0.0.1', port: 8080 });
    expect(decodeAddress('00000000000000000000000001000000:0016')).toEqual({ address: '::1', port: 22 });
    expect(decodeAddress('00000000000000000000000000000000:0016').address).not.toMatch(LOOPBACK);
  });
});
