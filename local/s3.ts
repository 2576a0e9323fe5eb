/**
 * The S3 side of the local stack: a checking front in this process before the S3 server
 * proper (s3rver and what it lacks, local/s3-server.ts), which runs in a child process and is
 * restarted when it dies. The front checks what s3rver does not: every request but a CORS
 * preflight signed with the stack's per-run key pair (in its Authorization header or as a
 * presigned URL) and sent to this emulator's own Host; it injects faults (local/faults.ts) and
 * forwards the rest unchanged. The server's object events (the records AWS S3 delivers to a
 * Lambda notification target) come back over IPC, filtered by the plan's
 * `aws_s3_bucket_notification` in local/stack.ts.
 *
 * Supervised: when the server dies (killed, out of memory, crashed) the front answers 503
 * (which clients and the SDK retry) and starts it again on the same directory, so every object
 * is still there (the directory outlives the server, also for a stack with temporary data);
 * `isUp()` is false meanwhile, which `/health` names.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { logChildOutput, type Logger } from './log';
import { PlanError, rejectReference, type PlanValue, type ReferenceResolver, type SynthesizedPlan } from './plan';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials, type Refusal } from './sigv4';
import { dropAfter, type FaultInjector } from './faults';
import { escapeXml, sendS3Error, type CorsRule, type FromS3Server, type S3EventRecord, type ToS3Server } from './s3-server';

export { encodeEventKey, monotonicSequencer, parseCopySource, SUPPRESS_EVENTS_HEADER, type CorsRule, type S3EventRecord } from './s3-server';

export interface S3Notification {
  /** Logical name of the target `aws_lambda_function` in the plan. */
  readonly functionResource: string;
  readonly events: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
  readonly id: string;
}

export interface LocalS3Options {
  /** Keep objects here; omit for a temporary directory removed on stop. */
  readonly directory?: string;
  /** @default a free port */
  readonly port?: number;
  readonly region: string;
  readonly logger: Logger;
  /**
   * The stack's key pair. Every request must be SigV4-signed with it, in the Authorization
   * header (the SDK's) or in the query (presigned URLs: signature, signed headers, expiry), as
   * S3 checks requests to a private bucket; s3rver alone checks nothing. Only CORS preflights
   * (OPTIONS), which carry no credentials, go through unsigned.
   */
  readonly credentials: LocalCredentials;
  /** Faults to inject in signed requests (local/faults.ts). */
  readonly faults?: FaultInjector;
}

export interface LocalS3 {
  readonly endpoint: string;
  /** Creates the bucket if missing and (re)applies the CORS rules (again after each restart of the server). */
  ensureBucket(name: string, corsRules: readonly CorsRule[]): Promise<void>;
  /** Called for every object event, after the object operation completed. */
  onObjectEvent(listener: (record: S3EventRecord) => void): void;
  /** Whether the front listens and the server behind it answers; false from the server's death until its restart. */
  isUp(): boolean;
  /** The S3 server's process id, while it serves. */
  pid(): number | undefined;
  /** Times the S3 server was restarted after dying. */
  restarts(): number;
  stop(): Promise<void>;
}

/** The S3 server's source, run by tsx's CommonJS hook (the local stack is TypeScript run by tsx or ts-jest). */
const SERVER_SCRIPT = path.join(__dirname, 's3-server.ts');
const TSX_REQUIRE_HOOK = require.resolve('tsx/cjs');
/** Waits between restarts of a server that keeps dying: 0.25 s, 0.5 s, 1 s … up to 10 s. */
const RESTART_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 10_000];
/** A server that has not said it listens by then is killed (a loaded two-core machine included). */
const START_TIMEOUT_MS = 60_000;

interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const { logger, region } = options;
  const temporary = !options.directory;
  const directory = options.directory ?? mkdtempSync(path.join(tmpdir(), 'media-store-s3-'));
  mkdirSync(directory, { recursive: true });
  const port = options.port ?? (await freePort());
  const listeners: ((record: S3EventRecord) => void)[] = [];
  // Connections to the server, reused; closed when idle before the server would close them (s3-server.ts).
  const agent = new Agent({ keepAlive: true, timeout: 10_000 });

  let stopping = false;
  let serving: ServerProcess | undefined;
  let restarts = 0;
  let bucket: { name: string; corsRules: readonly CorsRule[] } | undefined;
  const answers = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let nextId = 1;

  /** Has the server create the bucket (if missing) and apply its CORS rules. */
  const ensureBucketOn = (target: ServerProcess, name: string, corsRules: readonly CorsRule[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      answers.set(id, { resolve, reject });
      target.child.send({ type: 'ensureBucket', id, name, corsRules } satisfies ToS3Server);
    });

  /** Forks the server and resolves once it listens; rejects when it exits or does not listen in time. */
  const spawnServer = (): Promise<ServerProcess> =>
    new Promise((resolve, reject) => {
      const child = fork(SERVER_SCRIPT, [], { execArgv: ['--require', TSX_REQUIRE_HOOK], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      logChildOutput(child, logger, 's3');
      let started: ServerProcess | undefined;
      const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
      child.on('message', (message: FromS3Server) => {
        if (message.type === 'listening') {
          clearTimeout(timer);
          started = { child, port: message.port };
          resolve(started);
        } else if (message.type === 'event') {
          for (const listener of listeners) listener(message.record);
        } else if (message.type === 'log') {
          logger[message.level]('s3', message.message);
        } else if (message.type === 'done') {
          const answer = answers.get(message.id);
          answers.delete(message.id);
          if (message.error === undefined) answer?.resolve();
          else answer?.reject(new Error(message.error));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const status = signal !== null ? `signal ${signal}` : `exit status ${code}`;
        if (started === undefined) return reject(new Error(`the S3 server exited before it listened (${status})`));
        // One server runs at a time: what waits for an answer waited for this one.
        for (const [id, answer] of answers) {
          answers.delete(id);
          answer.reject(new Error(`the S3 server exited (${status})`));
        }
        if (serving !== started || stopping) return;
        serving = undefined;
        logger.error('s3', `the S3 server exited unexpectedly (${status}); restarting it (its objects in ${directory} are kept)`);
        void restart();
      });
      // Never through argv or the environment: the key pair goes over the IPC channel.
      child.send({ type: 'start', directory, region, credentials: options.credentials } satisfies ToS3Server);
    });

  /** Starts the server and provisions the bucket again (its CORS rules are files in the directory, but a start is cheap to make sure). */
  const startServer = async (): Promise<void> => {
    const started = await spawnServer();
    if (stopping) {
      started.child.kill('SIGKILL');
      return;
    }
    if (bucket !== undefined) await ensureBucketOn(started, bucket.name, bucket.corsRules);
    serving = started;
  };

  const restart = async (): Promise<void> => {
    for (let attempt = 0; !stopping; attempt += 1) {
      await new Promise((r) => setTimeout(r, RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]));
      if (stopping) return;
      const began = Date.now();
      try {
        await startServer();
      } catch (error) {
        logger.error('s3', `restart ${attempt + 1} of the S3 server failed: ${(error as Error).message}`);
        continue;
      }
      restarts += 1;
      logger.warn('s3', `the S3 server restarted in ${Date.now() - began} ms (its objects in ${directory} kept)`);
      return;
    }
  };

  const check = async (req: IncomingMessage): Promise<Refusal | undefined> => {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost !== undefined || req.method === 'OPTIONS') return wrongHost;
    return verifySigV4({ method: req.method, url: req.url, headers: req.headers }, { credentials: options.credentials, region, service: 's3' });
  };
  const server: Server = createServer((req, res) => {
    check(req)
      .then((refusal) => {
        if (refusal === undefined) return req.method === 'OPTIONS' || !injectFault(req, res) ? forward(req, res) : undefined;
        logger.warn('s3', `${req.method} ${req.url?.split('?')[0]} refused: ${refusal.code}`);
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message></Error>`;
        res.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
        req.resume();
      })
      .catch((error: unknown) => {
        logger.warn('s3', `${req.method} ${req.url?.split('?')[0]} failed: ${String(error)}`);
        if (!res.headersSent) sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      });
  });
  /** Answers the request with an injected fault, before the server sees it; false when none is due. */
  const injectFault = (req: IncomingMessage, res: ServerResponse): boolean => {
    const fault = options.faults?.next('s3');
    if (fault === undefined) return false;
    req.resume();
    if (fault === 'timeout') dropAfter(res, options.faults!.timeoutMs);
    else if (fault === 'throttle') sendS3Error(res, 503, 'SlowDown', 'Please reduce your request rate. (injected fault)');
    else sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again. (injected fault)');
    return true;
  };
  /** Sends the request on to the server unchanged (s3rver checks the same signature), its answer back. */
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const target = serving;
    if (target === undefined) {
      req.resume();
      // As S3 answers when it cannot serve: a 503 every client retries.
      return sendS3Error(res, 503, 'ServiceUnavailable', 'The local S3 server is restarting. Please try again.');
    }
    const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = req.headers;
    const upstream = httpRequest({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const { connection: _close, 'keep-alive': _alive, ...answered } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, answered);
      answer.on('error', () => res.destroy());
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // The server died during the request (its exit is logged and it is restarted).
      if (serving === target && !stopping) logger.warn('s3', `${req.method} ${req.url?.split('?')[0]}: the S3 server did not answer (${error.code ?? error.message})`);
      if (!res.headersSent) sendS3Error(res, 503, 'ServiceUnavailable', 'The local S3 server did not answer. Please try again.');
      else res.destroy();
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  };

  try {
    await startServer();
  } catch (error) {
    if (temporary) rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // The front too: one that stops listening while the stack runs (a fatal socket error) listens
  // again on the same port.
  const relisten = (attempt: number): void => {
    if (stopping || server.listening) return;
    setTimeout(() => {
      if (stopping || server.listening) return;
      server.once('error', (error) => {
        logger.error('s3', `listening again failed: ${String(error)}`);
        relisten(attempt + 1);
      });
      server.listen(port, '127.0.0.1', () => logger.warn('s3', `S3 listens again on ${port} (data in ${directory} kept)`));
    }, Math.min(10_000, 250 * 2 ** attempt)).unref();
  };
  server.on('close', () => {
    if (stopping) return;
    logger.error('s3', 'S3 stopped listening unexpectedly; restarting it');
    relisten(0);
  });
  server.on('error', (error) => {
    if (stopping) return;
    logger.error('s3', `server error: ${String(error)}`);
    if (!server.listening) relisten(0);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  logger.info('s3', `S3 (s3rver, process ${serving?.child.pid}) on ${endpoint} (${temporary ? 'temporary data' : `data in ${directory}`})`);

  return {
    endpoint,
    async ensureBucket(name, corsRules) {
      bucket = { name, corsRules };
      const target = serving;
      if (target === undefined) throw new Error('the S3 server is restarting');
      await ensureBucketOn(target, name, corsRules);
    },
    onObjectEvent(listener) {
      listeners.push(listener);
    },
    isUp: () => server.listening && serving !== undefined,
    pid: () => serving?.child.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      const child = serving?.child;
      serving = undefined;
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          // Closing the channel ends it (s3-server.ts); SIGKILL if it does not go.
          child.disconnect();
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        });
      }
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

// --- What the plan says about the bucket -----------------------------------------------

/**
 * The local stand-in for the site's CloudFront domain. There is no CloudFront locally, and the
 * app is served on an origin the plan cannot know, so the rule admitting the distribution's
 * origin resolves to a name no browser can be on (`.invalid` is reserved, RFC 2606).
 */
export const LOCAL_DISTRIBUTION_DOMAIN = 'distribution.cloudfront.invalid';

const siteReferences: ReferenceResolver = (type, name, attribute, expression) =>
  type === 'aws_cloudfront_distribution' && attribute === 'domain_name'
    ? LOCAL_DISTRIBUTION_DOMAIN
    : rejectReference(type, name, attribute, expression);

/** The plan's `aws_s3_bucket_cors_configuration` rules, variables resolved. */
export function corsRulesFromPlan(plan: SynthesizedPlan): CorsRule[] {
  const declared = plan.resources('aws_s3_bucket_cors_configuration').filter(([, block]) => Number(plan.resolve(block.count ?? 1, siteReferences)) > 0);
  return declared.flatMap(([, block]) =>
    list(plan.resolve(block.cors_rule, siteReferences)).map((r) => {
      const rule = r as Record<string, PlanValue>;
      return {
        allowedOrigins: list(rule.allowed_origins).map(String),
        allowedMethods: list(rule.allowed_methods).map(String),
        allowedHeaders: list(rule.allowed_headers).map(String),
        exposeHeaders: list(rule.expose_headers).map(String),
        ...(rule.max_age_seconds !== undefined && rule.max_age_seconds !== null
          ? { maxAgeSeconds: Number(rule.max_age_seconds) }
          : {}),
      };
    }),
  );
}

/** The Lambda targets of the plan's `aws_s3_bucket_notification`. */
export function notificationsFromPlan(plan: SynthesizedPlan): S3Notification[] {
  return plan.resources('aws_s3_bucket_notification').flatMap(([, block]) =>
    list(block.lambda_function).map((t, index) => {
      const target = t as Record<string, PlanValue>;
      const arn = String(target.lambda_function_arn);
      const ref = /^\$\{aws_lambda_function\.([^.}]+)\.arn\}$/.exec(arn);
      if (!ref) throw new PlanError(`notification target ${arn} is not a function of this plan`);
      return {
        functionResource: ref[1],
        events: list(plan.resolve(target.events)).map(String),
        prefix: String(plan.resolve(target.filter_prefix ?? '') ?? ''),
        suffix: String(plan.resolve(target.filter_suffix ?? '') ?? ''),
        id: String(target.id ?? `notification-${index}`),
      };
    }),
  );
}

/** Whether a notification fires for a record: event type (with `*`) and key prefix/suffix. */
export function notificationMatches(notification: S3Notification, record: S3EventRecord): boolean {
  const eventName = `s3:${record.eventName}`;
  const typeMatches = notification.events.some((pattern) =>
    pattern.endsWith('*') ? eventName.startsWith(pattern.slice(0, -1)) : eventName === pattern,
  );
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  return typeMatches && key.startsWith(notification.prefix) && key.endsWith(notification.suffix);
}

function list(value: PlanValue | undefined): PlanValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
