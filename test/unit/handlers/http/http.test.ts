import { BadRequest, Conflict, Forbidden, HttpError, NotFound, PayloadTooLarge, ServiceUnavailable, TooManyRequests, Unauthorized, UnsupportedMediaType, ValidationError } from '../../../../handlers/core/errors';
import { errorResponse, httpErrors, INTERNAL_ERROR_MESSAGE } from '../../../../handlers/http/http-errors';
import { createApiHandler } from '../../../../handlers/http/api-handler';
import { jsonBody, parseJsonBody } from '../../../../handlers/http/json-body';
import { principal } from '../../../../handlers/http/principal';
import { json } from '../../../../handlers/http/response';
import { createRouter } from '../../../../handlers/http/router';
import type { ApiEvent, ApiResult } from '../../../../handlers/http/types';
import { apiEvent, lambdaContext, memoryLogger } from '../../support';

const bodyOf = (result: ApiResult): unknown => JSON.parse(result.body as string);

describe('errors', () => {
  it.each([
    [new BadRequest('x'), 400, 'BadRequest'],
    [new ValidationError('size', 'must be positive'), 400, 'ValidationError'],
    [new Unauthorized('x'), 401, 'Unauthorized'],
    [new Forbidden('x'), 403, 'Forbidden'],
    [new NotFound('x'), 404, 'NotFound'],
    [new Conflict('x'), 409, 'Conflict'],
    [new PayloadTooLarge('x'), 413, 'PayloadTooLarge'],
    [new UnsupportedMediaType('x'), 415, 'UnsupportedMediaType'],
    [new TooManyRequests('x', 30), 429, 'TooManyRequests'],
    [new ServiceUnavailable('x'), 503, 'ServiceUnavailable'],
  ])('%s carries status %i and code %s', (error, status, code) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(error.statusCode).toBe(status);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new Conflict('exists', { cause }).cause).toBe(cause);
  });

  it('names the field in a validation message', () => {
    expect(new ValidationError('folder', 'must not contain ".."').message).toBe('folder: must not contain ".."');
  });
});

describe('errorResponse', () => {
  it('maps an HttpError to its status and {error:{code,message}}', () => {
    const { logger } = memoryLogger();
    const result = errorResponse(new ValidationError('limit', 'must be 1 to 1000'), logger);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: { code: 'ValidationError', message: 'limit: must be 1 to 1000' } });
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
  });

  it('adds Retry-After to a 429', () => {
    const { logger } = memoryLogger();
    expect(errorResponse(new TooManyRequests('slow down', 42), logger).headers).toMatchObject({ 'retry-after': '42' });
  });

  it('hides the details of anything else behind a generic 500 and logs them', () => {
    // Prepare
    const { logger, lines } = memoryLogger();
    const error = Object.assign(new Error('ResourceNotFoundException: table arn:aws:dynamodb:eu-west-1:123:table/x'), { name: 'ResourceNotFoundException' });
    // Act
    const result = errorResponse(error, logger);
    // Assess
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: { code: 'InternalError', message: INTERNAL_ERROR_MESSAGE } });
    expect(result.body).not.toMatch(/arn:|Resource|stack/);
    expect(lines[0]).toMatchObject({ level: 'error', error: { name: 'ResourceNotFoundException' } });
  });

  it.each([
    ['DynamoDB throttling', Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['S3 SlowDown', Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })],
    ['a service 5xx of another name', Object.assign(new Error('arn:aws:dynamodb:eu-west-1:123:table/x unavailable'), { name: 'SomethingElse', $metadata: { httpStatusCode: 502 } })],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('answers %s (after the SDK retried) with a 503 and Retry-After, leaking nothing', (_label, error) => {
    const { logger, lines } = memoryLogger();

    const result = errorResponse(error, logger);

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': '1' });
    expect(bodyOf(result)).toEqual({ error: { code: 'ServiceUnavailable', message: expect.stringMatching(/retry/) } });
    expect(result.body).not.toMatch(/arn:|hang|Rate of/);
    expect(lines[0]).toMatchObject({ level: 'error' });
  });

  it('keeps a conditional check or validation failure from AWS out of the 503s', () => {
    const { logger } = memoryLogger();
    const conditional = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });

    expect(errorResponse(conditional, logger).statusCode).toBe(500);
  });

  it('maps non-Error throwables to 500 too', () => {
    const { logger } = memoryLogger();
    expect(errorResponse('boom', logger).statusCode).toBe(500);
    expect(errorResponse(undefined, logger).statusCode).toBe(500);
  });
});

describe('httpErrors middleware', () => {
  it('replaces the response with the mapped error', () => {
    const { logger } = memoryLogger();
    const request = { event: apiEvent('GET /files'), error: new NotFound('nope') as Error | null, response: null as ApiResult | null, context: lambdaContext };
    httpErrors(logger).onError?.(request as never);
    expect(request.response?.statusCode).toBe(404);
  });
});

describe('jsonBody', () => {
  /** The API pipeline around a route that echoes the parsed body, so rejections come back as the caller sees them. */
  const echo = (maxBytes?: number) =>
    createApiHandler({ 'POST /uploads': async (event) => json(200, { parsed: event.parsedBody }) }, memoryLogger().logger, maxBytes === undefined ? {} : { maxBytes });
  const send = async (event: ApiEvent, maxBytes?: number): Promise<{ status: number | undefined; body: unknown }> => {
    const result = await echo(maxBytes)(event, lambdaContext);
    return { status: result.statusCode, body: bodyOf(result) };
  };

  it('parses a JSON body into parsedBody for POST', async () => {
    const event = apiEvent('POST /uploads', { body: { a: 1 } });
    await jsonBody().before?.({ event } as never);
    expect(event.parsedBody).toEqual({ a: 1 });
  });

  it('leaves GET requests alone', async () => {
    const event = apiEvent('GET /files');
    await jsonBody().before?.({ event } as never);
    expect(event.parsedBody).toBeUndefined();
  });

  it('keeps the raw body as API Gateway sent it', async () => {
    const event = apiEvent('POST /uploads', { body: { a: 1 } });
    await jsonBody().before?.({ event } as never);
    expect(event.body).toBe('{"a":1}');
  });

  it('decodes base64 bodies', async () => {
    const event: ApiEvent = { ...apiEvent('POST /uploads', { body: {} }), body: Buffer.from('{"b":2}').toString('base64'), isBase64Encoded: true };
    await expect(parseJsonBody(event)).resolves.toEqual({ b: 2 });
  });

  it('accepts application/json with a charset, and media types in any case', async () => {
    await expect(parseJsonBody(apiEvent('POST /uploads', { body: { ok: true }, contentType: 'application/json; charset=utf-8' }))).resolves.toEqual({ ok: true });
    await expect(parseJsonBody(apiEvent('POST /uploads', { body: { ok: true }, contentType: 'APPLICATION/JSON' }))).resolves.toEqual({ ok: true });
    await expect(parseJsonBody(apiEvent('POST /uploads', { body: { ok: true }, contentType: 'application/vnd.api+json' }))).resolves.toEqual({ ok: true });
  });

  it('refuses invalid JSON with a 400', async () => {
    expect(await send(apiEvent('POST /uploads', { rawBody: '{"a":' }))).toEqual({ status: 400, body: { error: { code: 'BadRequest', message: 'Request body is not valid JSON' } } });
  });

  it('refuses an empty body with a 400', async () => {
    expect(await send(apiEvent('POST /uploads', { rawBody: '' }))).toEqual({ status: 400, body: { error: { code: 'BadRequest', message: 'Request body is empty; a JSON object is expected' } } });
  });

  it('refuses a POST without a body with a 400', async () => {
    expect((await send({ ...apiEvent('POST /uploads'), headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('refuses another content type with a 415', async () => {
    expect(await send(apiEvent('POST /uploads', { rawBody: 'a=1', contentType: 'application/x-www-form-urlencoded' }))).toEqual({
      status: 415,
      body: { error: { code: 'UnsupportedMediaType', message: 'Request body must be JSON: send Content-Type: application/json' } },
    });
  });

  it('refuses a body without a content type with a 415', async () => {
    expect((await send({ ...apiEvent('POST /uploads', { body: { a: 1 } }), headers: {} })).status).toBe(415);
  });

  it('refuses a body over the limit with a 413', async () => {
    expect(await send(apiEvent('POST /uploads', { body: { pad: 'x'.repeat(100) } }), 50)).toEqual({ status: 413, body: { error: { code: 'PayloadTooLarge', message: 'Request body is larger than 50 bytes' } } });
  });

  it('counts the decoded bytes of a base64 body against the limit', async () => {
    const raw = JSON.stringify({ pad: 'x'.repeat(40) });
    const event: ApiEvent = { ...apiEvent('POST /uploads', { body: {} }), body: Buffer.from(raw).toString('base64'), isBase64Encoded: true };
    expect((await send(event, raw.length)).status).toBe(200);
    expect((await send(event, raw.length - 1)).status).toBe(413);
  });
});

describe('createRouter', () => {
  it('dispatches on routeKey', async () => {
    const { logger } = memoryLogger();
    const route = createRouter({ 'GET /health': async () => json(200, { status: 'ok' }) }, logger);
    expect((await route(apiEvent('GET /health'), lambdaContext)).statusCode).toBe(200);
  });

  it('throws NotFound for an unknown route, including inherited property names', async () => {
    const { logger } = memoryLogger();
    const route = createRouter({}, logger);
    await expect(route(apiEvent('GET /nowhere'), lambdaContext)).rejects.toBeInstanceOf(NotFound);
    await expect(route({ ...apiEvent('GET /x'), routeKey: 'constructor' }, lambdaContext)).rejects.toBeInstanceOf(NotFound);
  });
});

describe('principal', () => {
  it('reads username and role from the authorizer context', () => {
    expect(principal(apiEvent('GET /files', { principal: { username: 'ana', role: 'viewer' } }))).toEqual({ username: 'ana', role: 'viewer' });
  });

  it('throws 401 without a context or with an unknown role', () => {
    expect(() => principal(apiEvent('GET /files'))).toThrow(Unauthorized);
    expect(() => principal(apiEvent('GET /files', { principal: { username: 'ana', role: 'root' } }))).toThrow(Unauthorized);
  });
});
