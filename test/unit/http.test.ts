import { BadRequest, Conflict, Forbidden, HttpError, NotFound, PayloadTooLarge, ServiceUnavailable, TooManyRequests, Unauthorized, UnsupportedMediaType, ValidationError } from '../../handlers/core/errors';
import { errorResponse, httpErrors, INTERNAL_ERROR_MESSAGE } from '../../handlers/http/http-errors';
import { jsonBody, parseJsonBody } from '../../handlers/http/json-body';
import { principal } from '../../handlers/http/principal';
import { json } from '../../handlers/http/response';
import { createRouter } from '../../handlers/http/router';
import type { ApiEvent, ApiResult } from '../../handlers/http/types';
import { apiEvent, lambdaContext, memoryLogger } from './support';

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
  it('parses a JSON body into parsedBody for POST', () => {
    const event = apiEvent('POST /uploads', { body: { a: 1 } });
    jsonBody().before?.({ event } as never);
    expect(event.parsedBody).toEqual({ a: 1 });
  });

  it('leaves GET requests alone', () => {
    const event = apiEvent('GET /files');
    jsonBody().before?.({ event } as never);
    expect(event.parsedBody).toBeUndefined();
  });

  it('decodes base64 bodies', () => {
    const event: ApiEvent = { ...apiEvent('POST /uploads', { body: {} }), body: Buffer.from('{"b":2}').toString('base64'), isBase64Encoded: true };
    expect(parseJsonBody(event)).toEqual({ b: 2 });
  });

  it('accepts application/json with a charset', () => {
    expect(parseJsonBody(apiEvent('POST /uploads', { body: { ok: true }, contentType: 'application/json; charset=utf-8' }))).toEqual({ ok: true });
  });

  it('refuses invalid JSON with a 400', () => {
    expect(() => parseJsonBody(apiEvent('POST /uploads', { rawBody: '{"a":' }))).toThrow(BadRequest);
  });

  it('refuses an empty body with a 400', () => {
    expect(() => parseJsonBody(apiEvent('POST /uploads', { rawBody: '' }))).toThrow(BadRequest);
  });

  it('refuses another content type with a 415', () => {
    expect(() => parseJsonBody(apiEvent('POST /uploads', { rawBody: 'a=1', contentType: 'application/x-www-form-urlencoded' }))).toThrow(UnsupportedMediaType);
  });

  it('refuses a body over the limit with a 413', () => {
    expect(() => parseJsonBody(apiEvent('POST /uploads', { body: { pad: 'x'.repeat(100) } }), 50)).toThrow(PayloadTooLarge);
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
