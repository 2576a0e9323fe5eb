/**
 * fast-check arbitraries of requests that are wrong by construction, for any route of
 * contract/routes.ts: hostile values (wrong types, path traversal, control characters, lone
 * surrogates, bidi overrides, overlong UTF-8, huge and empty strings), invalid cursors, bad
 * JSON, wrong content types, random path parameters and query strings.
 *
 * Read-only routes (GET) get anything. A request to a route that changes state is built so
 * that it cannot succeed, whatever the route's schema:
 * - a body the JSON middleware refuses before the route runs (bad JSON, wrong or missing
 *   content type, empty, too large), with any path parameters, real file ids included; or
 * - a parsed body whose every value is hostile (never a clean string), and path parameters
 *   that name nothing that exists (`safeParam`).
 */
import fc from 'fast-check';
import type { RouteDeclaration } from '../../../contract/routes';

export interface BadRequest {
  readonly method: string;
  /** Raw request target: path and query, already percent-encoded (sent byte for byte). */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly as: 'admin' | 'viewer';
  /** False when the request is built to match no route (API Gateway's own 404). */
  readonly routable: boolean;
  /** Bodies over API Gateway's 10 MB limit (API Gateway's own 413). */
  readonly oversized: boolean;
  /** Nothing about this request can succeed: a 2xx/3xx answer is a bug. */
  readonly mustFail: boolean;
  /** What was generated, for failure reports. */
  readonly description: string;
}

/** What the test knows about the stack's catalog: lets read-only routes hit real files. */
export interface FuzzWorld {
  readonly fileIds: readonly string[];
  /** Other path parameter values that name something real (usernames): never sent to mutating routes. */
  readonly names: readonly string[];
  readonly folders: readonly string[];
  readonly cursors: readonly string[];
}

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const HANDLER_MAX_BODY = 64 * 1024;
const MAX_TARGET_LENGTH = 8000;

/** Query and body field names the routes use (or may use); random names are added too. */
const FIELD_NAMES = [
  'folder', 'path', 'parent', 'name', 'fileName', 'type', 'limit', 'cursor', 'id', 'ids', 'files',
  'tags', 'description', 'overwrite', 'contentType', 'size', 'username', 'password', 'role', 'prefix',
  'folders', 'uploadId', 'parts', 'partNumber', 'disposition', '__proto__', 'constructor',
];

// --- strings --------------------------------------------------------------------------------

/** Characters every path, name and id validator must refuse. */
const FORBIDDEN_CHARS = ['\u0000', '\u0001', '\u0007', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\ud800', '\udbff', '\udc00', '\udfff', '\u202e', '\u202a', '\u2066', '\u2069', '\\'];

/** Unusual but not necessarily invalid: RTL marks, combining marks, zero-width, emoji, BOM. */
const UNICODE_NOISE = ['\u200f', '\u200e', '\u061c', 'e\u0301', '\u0301', 'a\u0308\u0308\u0308', '\u200b', '\u200d', '\ufeff', '\ufffd', '😀', '👩‍👩‍👧', 'ﬁ', 'Ａ', 'İ', 'ß', '\u00a0', ' ', '%', '%25', '+', '&', '=', '?', '#', '"', "'", '<', '>', '{', '}', '*', '~', '$', 'مرحبا', 'שלום', '日本'];

const noise = fc.array(fc.oneof(fc.constantFrom(...UNICODE_NOISE), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 4 }).map((parts) => parts.join(''));

/**
 * A string no validator may accept as a path, name, id, username or content type. `longest`
 * bounds the over-long variants (bodies can carry far more than a URL).
 */
function hostileStrings(longest: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(noise, fc.constantFrom(...FORBIDDEN_CHARS), noise).map(([a, c, b]) => `${a}${c}${b}`),
    fc.tuple(noise, fc.constantFrom('..', '.', ''), noise).map(([a, dots, b]) => `${a}/${dots}/${b}`),
    fc.tuple(fc.constantFrom('../', '../../etc/passwd', '/..', '/../..', '..\\..\\windows', '/./', '//', '///a', '/a//b', 'media/../../x', '.././', '..%2F..'), noise).map(([core, b]) => `${core}${b}`),
    fc.tuple(fc.integer({ min: 1025, max: Math.max(1025, longest) }), fc.constantFrom('a', 'é', '/', '😀')).map(([n, c]) => c.repeat(n)),
    fc.tuple(fc.constantFrom(...FORBIDDEN_CHARS), fc.integer({ min: 300, max: Math.max(300, longest / 4) })).map(([c, n]) => `x${c}`.repeat(n)),
  );
}

/** Hostile strings for JSON bodies: up to 20,000 characters. */
const hostileString: fc.Arbitrary<string> = hostileStrings(20_000);
/** Hostile strings for URLs, which API Gateway and Node limit to a few KiB. */
const hostileUrlString: fc.Arbitrary<string> = hostileStrings(1100);

/** Anything a client could type, valid or not: for read-only routes. */
const anyString: fc.Arbitrary<string> = fc.oneof(
  hostileUrlString,
  noise,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '/', '.', '..', 'null', 'undefined', 'true', '[]', '{}', '0', '-1', 'NaN', 'Infinity', '1e309', '0x1F', '1.5', ' 10', '10abc', '99999999999999999999', 'image', 'video', 'other', 'IMAGE', 'image/jpeg', 'admin', 'viewer'),
);

/** The bytes of a string whose lone surrogates are kept (as CESU-8 style, invalid UTF-8). */
function wtf8(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      bytes.push(...Buffer.from(value.slice(i, i + 2), 'utf8'));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    } else {
      bytes.push(...Buffer.from(value[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Percent-encodes every byte outside RFC 3986's unreserved set (lone surrogates included). */
function percentEncode(value: string): string {
  let out = '';
  for (const byte of wtf8(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Raw percent sequences no decoder may trust: malformed, overlong, surrogate, beyond U+10FFFF, NUL. */
const RAW_ENCODED = ['%', '%%', '%zz', '%2', '%C0%AE%C0%AE', '%C0%AF', '%E0%80%AF', '%C1%9C', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80', '%FF%FE', '%00', '%2e%2e', '%2E', '%5C', '%252F', '+', '%20'];

/** An encoded query or path value: a generated string, or raw malformed escapes around one. */
const encodedValue = (values: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: values.map(percentEncode) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...RAW_ENCODED), values.map(percentEncode), fc.constantFrom(...RAW_ENCODED)).map(([a, v, b]) => `${a}${v}${b}`) },
  );

// --- cursors --------------------------------------------------------------------------------

const b64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

const cursorValue = (world: FuzzWorld): fc.Arbitrary<string> =>
  fc.oneof(
    fc.base64String({ maxLength: 80 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,120}$/),
    fc.string({ maxLength: 30 }).map(b64url),
    fc.jsonValue().map((v) => b64url(JSON.stringify(v) ?? 'null')),
    fc.record({ v: fc.constantFrom(1, 2, '1', 0, null), f: fc.oneof(anyString, fc.constantFrom(...world.folders)), n: fc.oneof(hostileUrlString, anyString) }).map((c) => b64url(JSON.stringify(c))),
    fc.record({ v: fc.constant(1), f: fc.constantFrom(...world.folders), n: hostileUrlString }).map((c) => b64url(JSON.stringify(c))),
    fc.tuple(fc.constantFrom(...world.cursors), fc.nat()).map(([c, cut]) => c.slice(0, cut % c.length)),
    fc.constantFrom(...world.cursors).map((c) => `${c}A`),
    fc.constantFrom(...world.cursors).map((c) => `${c}==`),
    fc.integer({ min: 2049, max: 6000 }).map((n) => 'A'.repeat(n)),
  );

// --- query strings --------------------------------------------------------------------------

const queryName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });

function queryString(pairs: fc.Arbitrary<readonly [string, string]>): fc.Arbitrary<string> {
  return fc.array(pairs, { maxLength: 5 }).map((entries) => entries.map(([name, value]) => `${name}=${value}`).join('&'));
}

/**
 * Folders valid segment by segment but long in UTF-8 bytes (3-byte characters): over DynamoDB's
 * 2,048-byte partition key once prefixed, yet short enough for a URL.
 */
const byteLongFolder: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 4, max: 9 }), fc.integer({ min: 60, max: 85 }))
  .map(([segments, length]) => `/${'日'.repeat(length)}`.repeat(segments));

/** Read-only routes: any names, any values (valid ones too), cursors, duplicates. */
const readQuery = (world: FuzzWorld): fc.Arbitrary<string> =>
  fc.oneof(
    queryString(
      fc.oneof(
        fc.tuple(queryName.map(percentEncode), encodedValue(anyString)),
        fc.tuple(fc.constant('cursor'), cursorValue(world)),
        fc.tuple(fc.constantFrom('folder', 'parent', 'path', 'prefix'), encodedValue(fc.oneof(fc.constantFrom(...world.folders), anyString, byteLongFolder))),
        fc.tuple(fc.constant('limit'), fc.constantFrom('0', '-1', '1001', '1e3', '1.0', '0x10', '', 'abc', '00001', '1000000000000', '%20%31', '+1')),
        fc.tuple(fc.constant('type'), fc.constantFrom('', 'images', 'IMAGE', 'image,video', 'image%00', '*', 'video/mp4')),
      ),
    ),
    fc.constantFrom('', '&', '&&&', '=', '==', 'folder', 'folder=', '=x', 'a=1&a=2&a=3', 'folder=%', 'cursor=%zz', '%=%', '?', 'folder=/a&folder=/b'),
  );

/** Mutating routes: every value hostile, so a path or name in the query can never be valid. */
const hostileQuery: fc.Arbitrary<string> = queryString(fc.tuple(queryName.map(percentEncode), encodedValue(hostileUrlString)));

// --- path parameters ------------------------------------------------------------------------

/** A path parameter that names nothing existing: never a real id (checked by the caller's filter). */
const safeParamRaw: fc.Arbitrary<string> = fc.oneof(
  hostileUrlString,
  anyString,
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.string({ maxLength: 40 }).map((s) => b64url(`media/fuzz-nothing-here/${s}`)),
  fc.string({ maxLength: 40 }).map(b64url),
  fc.constantFrom('bWVkaWE', 'bWVkaWEv', 'bWVkaWEvLi4vLi4vZXRjL3Bhc3N3ZA', 'AAAA', '_-_-', '=', 'bWVkaWEvYQ==', 'null'),
);

interface ParamValue {
  readonly encoded: string;
  /** False when the encoded value itself breaks routing: empty, or a raw `/`. */
  readonly routable: boolean;
}

function paramValue(raw: fc.Arbitrary<string>): fc.Arbitrary<ParamValue> {
  return fc.oneof(
    { weight: 8, arbitrary: encodedValue(raw).map((encoded) => ({ encoded, routable: encoded !== '' })) },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2E', '%2F', '..%2F..%2Fhealth', '%00', '%', '%zz', '%C0%AE%C0%AE').map((encoded) => ({ encoded, routable: true })) },
    { weight: 1, arbitrary: fc.constantFrom('', 'a/b', '../x', 'x/..').map((encoded) => ({ encoded, routable: false })) },
  );
}

// --- bodies ---------------------------------------------------------------------------------

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json'];
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'text/json', 'application/jsonx', 'application/xml', 'image/jpeg', 'json', '*/*', ''];

interface Body {
  readonly contentType?: string;
  readonly bytes?: Buffer;
  readonly oversized: boolean;
  /** The JSON middleware refuses it before any route code runs. */
  readonly unparseable?: boolean;
  readonly description: string;
}


/** Values no field accepts: wrong types, or hostile strings (also nested). */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 6 * 1024 ** 4),
    fc.double(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), hostileString), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** A JSON object of hostile values under plausible field names, or JSON that is not an object. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), hostileString), hostileValue, { minKeys: 1, maxKeys: 6 }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constantFrom('{}', 'null', '[]', '0', '"x"', 'true', '[{"folder":"/a/../b"}]', '{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"x":1}}}') },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 20 }).map((n) => JSON.stringify({ folder: `/${'a/'.repeat(n)}..`, path: '\u0000', name: '..', ids: Array.from({ length: n * 50 }, () => '..'), files: Array.from({ length: n * 50 }, () => ({ folder: '..' })) })) },
);

/** Text that JSON.parse refuses. */
const badJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '}', '{"folder": "/a",', "{'folder': '/a'}", '{"a":1,}', '[1,2,]', 'NaN', 'undefined', '{"a":01}', '{"a":"\\x41"}', '{"a":"\\u12"}', '\ufeff{}', '{"a":1}{"b":2}', '{"a" 1}', '// {}', '/* */ {}', '\u0000', ' ', 'tru', '"unterminated', '{"a":"\n"}'),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => '['.repeat(n)),
  fc.string({ maxLength: 40 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** Bodies refused by the JSON middleware before any route code runs. */
const framingInvalidBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...JSON_TYPES), badJsonText).map(([type, text]) => ({ contentType: type, bytes: Buffer.from(text, 'utf8'), oversized: false, unparseable: true, description: `bad JSON ${JSON.stringify(text.slice(0, 60))}` })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.option(fc.constantFrom(...WRONG_TYPES), { nil: undefined }), fc.oneof(hostileJson, fc.constant('{"folder":"/a","fileName":"a.jpg","contentType":"image/jpeg","size":1}'))).map(([type, text]) => ({
      ...(type !== undefined ? { contentType: type } : {}),
      bytes: Buffer.from(text, 'utf8'),
      oversized: false, unparseable: true,
      description: `content type ${JSON.stringify(type ?? '(none)')}`,
    })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...JSON_TYPES, undefined).map((type) => ({ ...(type !== undefined ? { contentType: type } : {}), oversized: false, unparseable: true, description: 'empty body' })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: HANDLER_MAX_BODY + 1, max: HANDLER_MAX_BODY * 4 }).map((n) => ({
      contentType: 'application/json',
      bytes: Buffer.from(JSON.stringify({ folder: 'a'.repeat(n) })),
      oversized: false, unparseable: true,
      description: `JSON body of ${n + 14} bytes`,
    })),
  },
);

/** Parsed by the middleware, refused by the route: hostile values, or invalid UTF-8 inside them. */
const hostileParsedBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...JSON_TYPES), hostileJson).map(([type, text]) => ({ contentType: type, bytes: wtf8(text), oversized: false, description: `hostile JSON ${JSON.stringify(text.slice(0, 80))}` })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.constantFrom(...RAW_ENCODED.filter((r) => r.startsWith('%') && r.length >= 6))).map(([field, escape]) => {
      // Overlong or surrogate bytes inside a string that is hostile anyway (a ".." segment).
      const raw = Buffer.from(escape.replace(/%/g, ''), 'hex');
      return {
        contentType: 'application/json',
        bytes: Buffer.concat([Buffer.from(`{"${field}":"/../`), raw, Buffer.from('"}')]),
        oversized: false,
        description: `invalid UTF-8 ${escape} in ${field}`,
      };
    }),
  },
);

// --- one field wrong, for routes that only read or only start uploads ----------------------

/** A valid-looking upload request (it starts an upload session, it writes no catalog row). */
const UPLOAD_TEMPLATE = { folder: '/fuzz', fileName: 'new.jpg', contentType: 'image/jpeg', size: 1024 };

/** `template` with exactly one field replaced by a hostile value, or one unknown field added. */
function oneFieldWrong(template: Readonly<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.constantFrom(...Object.keys(template), 'owner', '__proto__'), hostileValue).map(([field, value]) => ({ ...template, [field]: value }));
}

/**
 * Bodies that pass the outer checks of routes known not to change the catalog, so the
 * generated garbage reaches their inner validation (per item of a batch, per id of a link
 * request). Keyed by route; a route without an entry gets only the generic bodies.
 */
const DEEP_BODIES: Readonly<Record<string, (world: FuzzWorld) => fc.Arbitrary<unknown>>> = {
  'POST /uploads': () => oneFieldWrong(UPLOAD_TEMPLATE),
  'POST /uploads/batch': () => fc.record({ files: fc.array(fc.oneof(oneFieldWrong(UPLOAD_TEMPLATE), hostileValue), { minLength: 1, maxLength: 30 }) }),
  'POST /files/links': (world) =>
    fc.record({ ids: fc.array(fc.oneof(fc.constantFrom(...world.fileIds), hostileString, safeParamRaw, hostileValue), { minLength: 1, maxLength: 40 }) }),
};

// --- requests -------------------------------------------------------------------------------

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] as string);
}

function fillPath(path: string, values: readonly ParamValue[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => (values[i++] as ParamValue).encoded);
}

/**
 * Bad requests for one route. `isExisting(encodedParam)` tells whether a path parameter
 * names something real: mutating requests with a parsed body never use those.
 */
export function badRequestsFor(route: RouteDeclaration, world: FuzzWorld, allRoutes: readonly RouteDeclaration[]): fc.Arbitrary<BadRequest> {
  const params = pathParams(route.path);
  const mutating = MUTATING.has(route.method);
  const real = new Set([...world.fileIds, ...world.names].map((v) => v.toLowerCase()));
  const realParam = fc.constantFrom(...world.fileIds, ...world.names).map((id): ParamValue => ({ encoded: percentEncode(id), routable: true }));
  const namesNothing = (encoded: string): boolean => ![encoded, safeDecode(encoded), safeDecode(encoded).trim().normalize('NFC')].some((v) => real.has(v.toLowerCase()));
  const safeParam = paramValue(safeParamRaw).filter((p) => namesNothing(p.encoded));
  const anyParam = fc.oneof({ weight: 2, arbitrary: realParam }, { weight: 3, arbitrary: safeParam });
  const as = fc.constantFrom<'admin' | 'viewer'>('admin', 'admin', 'admin', 'viewer');

  const build = (kind: string, paramValues: readonly ParamValue[], query: string, body: Body | undefined, who: 'admin' | 'viewer', method: string = route.method, extra: Record<string, string> = {}): BadRequest => {
    const path = fillPath(route.path, paramValues);
    const headers: Record<string, string> = { ...extra };
    if (body?.contentType !== undefined) headers['content-type'] = body.contentType;
    return {
      method,
      target: query === '' ? path : `${path}?${query}`,
      headers,
      ...(body?.bytes !== undefined ? { body: body.bytes } : {}),
      as: who,
      routable: paramValues.every((p) => p.routable) && (method === route.method || allRoutes.some((r) => r.method === method && r.path === route.path)),
      oversized: body?.oversized ?? false,
      mustFail: (method !== 'GET' && method !== 'POST') || (method === 'POST' && body?.unparseable === true),
      description: `${kind}${body ? `, ${body.description}` : ''}`,
    };
  };

  const paramsOf = (one: fc.Arbitrary<ParamValue>): fc.Arbitrary<ParamValue[]> => fc.tuple(...params.map(() => one));
  const strayHeaders = fc.dictionary(fc.constantFrom('accept', 'x-amz-meta-upload-id', 'range', 'if-none-match', 'origin', 'x-forwarded-for', 'accept-encoding'), fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')), { maxKeys: 2 });

  const variants: fc.Arbitrary<BadRequest>[] = [];
  if (!mutating) {
    variants.push(
      fc.tuple(paramsOf(anyParam), readQuery(world), as, strayHeaders).map(([p, q, who, h]) => build('read', p, q, undefined, who, route.method, h)),
      fc.tuple(paramsOf(anyParam), readQuery(world), as, framingInvalidBody).map(([p, q, who, b]) => build('read with a body', p, q, b, who)),
    );
  } else if (route.method === 'DELETE') {
    variants.push(fc.tuple(paramsOf(safeParam), hostileQuery, as).map(([p, q, who]) => build('delete', p, q, undefined, who)));
  } else {
    variants.push(
      fc.tuple(paramsOf(anyParam), hostileQuery, as, framingInvalidBody).map(([p, q, who, b]) => build('unparseable body', p, q, b, who)),
      fc.tuple(paramsOf(safeParam), hostileQuery, as, hostileParsedBody).map(([p, q, who, b]) => build('hostile body', p, q, b, who)),
    );
    const deep = DEEP_BODIES[`${route.method} ${route.path}`];
    if (deep !== undefined) {
      variants.push(
        fc.tuple(paramsOf(safeParam), as, deep(world)).map(([p, who, value]) => {
          const text = JSON.stringify(value);
          return build('one field wrong', p, '', { contentType: 'application/json', bytes: wtf8(text), oversized: false, description: `JSON ${JSON.stringify(text.slice(0, 100))}` }, who);
        }),
      );
    }
  }
  // A method the route's path does not have: API Gateway's 404 (or another route of the path,
  // which then gets an unparseable body or names nothing that exists).
  variants.push(
    fc.tuple(fc.constantFrom(...METHODS.filter((m) => m !== route.method)), paramsOf(safeParam), hostileQuery, as, framingInvalidBody).map(([method, p, q, who, b]) =>
      build(`wrong method ${method}`, p, q, method === 'GET' || method === 'DELETE' ? undefined : b, who, method),
    ),
  );
  // Node (and API Gateway, at 10 KiB for request line and headers) refuse longer targets.
  return fc.oneof(...variants.map((arbitrary, i) => ({ weight: i === variants.length - 1 ? 1 : 4, arbitrary }))).filter((r) => r.target.length <= MAX_TARGET_LENGTH);
}

/** One request over API Gateway's 10 MB body limit (sending thousands would only cost time). */
export function oversizedRequestFor(route: RouteDeclaration): BadRequest {
  return {
    method: route.method,
    target: route.path.replace(/\{[^}]+\}/g, 'x'),
    headers: { 'content-type': 'application/json' },
    body: Buffer.alloc(API_GATEWAY_MAX_BODY + 1, 0x61),
    as: 'admin',
    routable: true,
    oversized: true,
    mustFail: true,
    description: 'body over 10 MB',
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
