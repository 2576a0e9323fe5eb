/**
 * The Lambda functions the module deploys and `npm run build` bundles. The build writes
 * `dist/<name>.zip` holding `index.js` (+ `index.js.map`); the handler is `index.handler`.
 * The module tags each function with `FUNCTION_TAG = <name>` so tools that read the
 * synthesized plan (the local stack) can tell the functions apart.
 */
export const API_FUNCTIONS = ['auth', 'uploads', 'files', 'shares'] as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

export const FUNCTION_NAMES = ['authorizer', 'auth', 'uploads', 'files', 'shares', 'sync', 'move', 'process', 'sweep', 'transcode', 'scrub'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

interface FunctionDeclaration {
  /** Entry point bundled by esbuild, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  /**
   * Packages with native or WASM parts, left out of the bundle and shipped in the zip's
   * `node_modules/` with their dependencies, for both Lambda architectures (scripts/build.ts).
   */
  readonly packages?: readonly string[];
}

export const FUNCTIONS: Readonly<Record<FunctionName, FunctionDeclaration>> = {
  authorizer: {
    entry: 'handlers/authorizer/index.ts',
    description: 'API Gateway REQUEST authorizer: verifies the access token, and that its session, user and session version still stand',
  },
  auth: { entry: 'handlers/auth/index.ts', description: 'Auth: login, refresh, logout and the caller (me); admins manage users; health' },
  uploads: {
    entry: 'handlers/uploads/index.ts',
    description: 'Uploads: sessions, presigned PUT and part URLs, completion; drop-link guests\' uploads into a share\'s folder within its quota',
  },
  files: {
    entry: 'handlers/files/index.ts',
    description: 'Signed-in catalog routes: folders; files (listings and views with presigned URLs, downloads, edits, moves, deletes); the trash; the timeline; jobs; storage stats; shares and their logs',
  },
  shares: {
    entry: 'handlers/shares/index.ts',
    description: 'Anonymous share routes: open a share, unlock it with its password, sign its files\' download URLs (drop-link uploads: the uploads function); holds no token or cursor key',
  },
  sync: { entry: 'handlers/sync/index.ts', description: 'Keeps the catalog equal to the bucket from S3 events' },
  move: { entry: 'handlers/move/index.ts', description: 'Runs move jobs of large files (parallel part copy, verify, delete the original) and bulk trash jobs (folder deletes, restore all, empty)' },
  process: {
    entry: 'handlers/process/index.ts',
    description: 'Thumbnails, previews, video posters and metadata of catalogued files',
    packages: ['sharp', 'heic-decode', '@ffmpeg-installer/linux-x64', '@ffmpeg-installer/linux-arm64'],
  },
  transcode: {
    entry: 'handlers/transcode/index.ts',
    description: 'The steps of the video workflow (Step Functions): plan the segments, remux, transcode one segment, join them into one faststart MP4, record a failure',
    packages: ['@ffmpeg-installer/linux-x64', '@ffmpeg-installer/linux-arm64'],
  },
  sweep: { entry: 'handlers/sweep/index.ts', description: 'Hourly: reminds owners of shares ending within a day, gives back the quota of abandoned drop uploads' },
  scrub: {
    entry: 'handlers/scrub/index.ts',
    description: 'Hourly: re-reads a share of the library so every file is verified against its SHA-256 each scrub_period_days; marks a mismatch and alerts the ops topic',
  },
};

export const FUNCTION_TAG = 'media-store:function';
export const BUNDLE_HANDLER = 'index.handler';
export const bundleZipPath = (name: FunctionName): string => `dist/${name}.zip`;
