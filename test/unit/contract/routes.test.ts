import { API_FUNCTIONS, FUNCTIONS, type ApiFunctionName } from '../../../contract/functions';
import { routeKey, routesOf } from '../../../contract/routes';
import { authRoutes } from '../../../handlers/auth/routes';
import { filesRoutes } from '../../../handlers/files/routes';
import { publicShareRoutes } from '../../../handlers/shares/routes';
import type { RouteMap } from '../../../handlers/http/types';
import { uploadsRoutes } from '../../../handlers/uploads/routes';

const never = (): never => {
  throw new Error('not called');
};

/** Each function's route map, built with inert dependencies: only the keys matter here. */
const ROUTE_MAPS: Record<ApiFunctionName, RouteMap> = {
  auth: authRoutes({ users: {} as never, sessions: {} as never, keys: { signingKey: never }, issuer: 'i', tokenTtlSeconds: 60, refreshTokenTtlSeconds: 600, throttle: { maxFailures: 1, lockoutSeconds: 1 }, attempts: {} as never, maxUsers: 1, logger: {} as never }),
  uploads: uploadsRoutes({ uploads: {} as never, objects: {} as never, multipart: {} as never, urlTtlSeconds: 60, allowedContentTypes: [], maxUploadBytes: 1, multipartThresholdBytes: 1, shares: {} as never, reservations: {} as never, guests: {} as never, accessLog: {} as never, users: {} as never, files: {} as never, folders: {} as never }),
  files: filesRoutes({ cursors: never, jobs: {} as never, jobInvoker: {} as never, moveJobThresholdBytes: 1, files: {} as never, objects: {} as never, derivedObjects: {} as never, uploads: {} as never, viewUrlTtlSeconds: 60, folders: {} as never, shares: {} as never, accessLog: {} as never, users: {} as never, usage: {} as never, timeline: {} as never, content: {} as never, sharePolicy: { maxDays: 30, allowNever: false }, trash: {} as never, trashJobs: {} as never, trashRetentionDays: 30 }),
  shares: publicShareRoutes({ files: {} as never, objects: {} as never, viewUrlTtlSeconds: 60, folders: {} as never, shares: {} as never, accessLog: {} as never, users: {} as never, throttle: { maxFailures: 1, lockoutSeconds: 1 }, attempts: {} as never, appShell: '' }),
};

describe('route maps', () => {
  it.each(API_FUNCTIONS.map((fn) => [fn]))('%s serves exactly its routes of contract/routes.ts', (fn) => {
    const declared = routesOf(fn).map(routeKey).sort();
    expect(Object.keys(ROUTE_MAPS[fn]).sort()).toEqual(declared);
  });
});

describe('function descriptions', () => {
  /** What a route is about: its first segment after `/public` (`users`, `files`, `shares`…), singular. */
  const familyOf = (path: string): string => (path.split('/').filter((s) => s !== '' && s !== 'public')[0] ?? '').replace(/s$/, '');

  it.each(API_FUNCTIONS.map((fn) => [fn]))('%s\'s description names every family of routes it serves', (fn) => {
    const families = [...new Set(routesOf(fn).map((r) => familyOf(r.path)))];
    const description = FUNCTIONS[fn].description.toLowerCase();
    expect(families.filter((family) => !description.includes(family))).toEqual([]);
  });

  it('keeps every description within Lambda\'s 256 characters', () => {
    expect(Object.entries(FUNCTIONS).filter(([, f]) => f.description.length > 256).map(([name]) => name)).toEqual([]);
  });
});
