/**
 * The monthly bill of a media-store deployment, per service, from a few inputs and the price
 * table (scripts/prices.us-east-1.json). Pure arithmetic: `npm run cost` prints it, the unit
 * tests check it. Usage assumptions are named constants below, each said where it is used.
 */
import PRICES from './prices.us-east-1.json';

type PriceTable = typeof PRICES;
export { PRICES };

export interface Usage {
  /** Media kept in S3, GB (average over the month). */
  readonly storedGb: number;
  /** Files uploaded per month. */
  readonly uploads: number;
  /** Files viewed or downloaded per month (one S3 GET each). */
  readonly views: number;
  /** GB downloaded from S3 to the internet per month. */
  readonly servedGb: number;
  /** People using it in the month. */
  readonly users: number;
}

export interface Options {
  /** Apply AWS's always-free allowances (100 GB transfer out, Lambda's 1M requests, …). @default true */
  readonly freeTier?: boolean;
  /** Lambda functions deployed (each has an errors and a throttles alarm). @default 5 */
  readonly functions?: number;
}

/** What one action costs in requests: the module's own code paths, rounded up. */
export const ASSUMPTIONS = {
  /** POST /uploads, then the client's own GET /uploads/{id} or listing to see it. */
  apiRequestsPerUpload: 2,
  /** A view URL comes from a listing page or GET /files/{id}: at worst one API call per view. */
  apiRequestsPerView: 1,
  /** Logins, folder listings, searches: about two a day. */
  apiRequestsPerUser: 60,
  /** Every API request but login and health runs the authorizer (its cache only lowers this). */
  authorizerShare: 1,
  /** Average Lambda run, seconds, at the default 512 MB on arm64. */
  lambdaSecondsPerInvocation: 0.1,
  lambdaMemoryGb: 0.5,
  /** The sync function's HeadObject per upload, plus the client's PUT. */
  s3GetsPerUpload: 1,
  /** Session put and update, file row, folder markers. */
  dynamoWritesPerUpload: 4,
  dynamoReadsPerUpload: 2,
  /** User row, limiter and listing queries (eventually consistent units). */
  dynamoReadsPerApiRequest: 2,
  /** Catalog rows are small: about 1 KB per file, kept as long as the file. */
  catalogKbPerFile: 1,
  /** Log lines per invocation (start, end, report and the handler's own), KB. */
  logKbPerInvocation: 1,
  /** Alarm metrics besides the two per function: dead letters (1) and the API 5xx rate (2 metrics). */
  fixedAlarmMetrics: 3,
  /** Files in the catalog, estimated from the uploads of a year. */
  monthsOfUploadsKept: 12,
} as const;

type Service = 'S3 storage' | 'S3 requests' | 'Data transfer out' | 'API Gateway (HTTP API)' | 'Lambda' | 'DynamoDB' | 'Secrets Manager' | 'CloudWatch' | 'SNS' | 'X-Ray';

interface Line {
  readonly service: Service;
  readonly usd: number;
  /** How the figure was computed, in words and numbers. */
  readonly detail: string;
}

interface Estimate {
  readonly lines: readonly Line[];
  readonly totalUsd: number;
  readonly region: string;
  readonly pricesAsOf: string;
}

const billable = (used: number, free: number, freeTier: boolean) => Math.max(0, used - (freeTier ? free : 0));
const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

export function estimate(usage: Usage, options: Options = {}, prices: PriceTable = PRICES): Estimate {
  for (const [name, value] of Object.entries(usage)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  }
  const freeTier = options.freeTier ?? true;
  const functions = options.functions ?? 5;
  const a = ASSUMPTIONS;

  const apiRequests = usage.uploads * a.apiRequestsPerUpload + usage.views * a.apiRequestsPerView + usage.users * a.apiRequestsPerUser;
  const invocations = apiRequests * (1 + a.authorizerShare) + usage.uploads; // handler + authorizer, sync per upload
  const gbSeconds = invocations * a.lambdaSecondsPerInvocation * a.lambdaMemoryGb;
  const gets = usage.views + usage.uploads * a.s3GetsPerUpload;
  const writeUnits = usage.uploads * a.dynamoWritesPerUpload;
  const readUnits = usage.uploads * a.dynamoReadsPerUpload + apiRequests * a.dynamoReadsPerApiRequest;
  const catalogGb = (usage.uploads * a.monthsOfUploadsKept * a.catalogKbPerFile) / 1024 ** 2;
  const logGb = (invocations * a.logKbPerInvocation) / 1024 ** 2;
  const alarmMetrics = 2 * functions + a.fixedAlarmMetrics;
  const p = prices;

  const lines: Line[] = [
    {
      service: 'S3 storage',
      usd: usage.storedGb * p.s3.standardStoragePerGbMonth,
      detail: `${usage.storedGb} GB × $${p.s3.standardStoragePerGbMonth}/GB-month (Standard; Intelligent-Tiering lowers cold media)`,
    },
    {
      service: 'S3 requests',
      usd: (usage.uploads / 1000) * p.s3.putCopyPostListPer1000 + (gets / 1000) * p.s3.getHeadPer1000,
      detail: `${usage.uploads} PUTs × $${p.s3.putCopyPostListPer1000}/1,000 + ${gets} GETs/HEADs × $${p.s3.getHeadPer1000}/1,000`,
    },
    {
      service: 'Data transfer out',
      usd: billable(usage.servedGb, p.dataTransfer.freeGbPerMonth, freeTier) * p.dataTransfer.outToInternetPerGb,
      detail: `${usage.servedGb} GB${freeTier ? ` (first ${p.dataTransfer.freeGbPerMonth} GB free)` : ''} × $${p.dataTransfer.outToInternetPerGb}/GB`,
    },
    {
      service: 'API Gateway (HTTP API)',
      usd: (apiRequests / 1e6) * p.apiGateway.httpApiPerMillionRequests,
      detail: `${apiRequests} requests × $${p.apiGateway.httpApiPerMillionRequests}/million (an HTTP API, not REST's $${p.apiGateway.restApiPerMillionRequests})`,
    },
    {
      service: 'Lambda',
      usd:
        (billable(invocations, p.lambda.freeRequestsPerMonth, freeTier) / 1e6) * p.lambda.perMillionRequests +
        billable(gbSeconds, p.lambda.freeGbSecondsPerMonth, freeTier) * p.lambda.arm64PerGbSecond,
      detail: `${invocations} invocations × $${p.lambda.perMillionRequests}/million + ${round(gbSeconds)} GB-s × $${p.lambda.arm64PerGbSecond} (arm64)${freeTier ? ', after the free 1M requests and 400,000 GB-s' : ''}`,
    },
    {
      service: 'DynamoDB',
      usd:
        (writeUnits / 1e6) * p.dynamodb.onDemandPerMillionWriteUnits +
        (readUnits / 1e6) * p.dynamodb.onDemandPerMillionReadUnits +
        billable(catalogGb, p.dynamodb.freeStorageGb, freeTier) * p.dynamodb.storagePerGbMonth +
        catalogGb * p.dynamodb.pointInTimeRecoveryPerGbMonth,
      detail: `${writeUnits} write units × $${p.dynamodb.onDemandPerMillionWriteUnits}/million + ${readUnits} read units × $${p.dynamodb.onDemandPerMillionReadUnits}/million + ${round(catalogGb)} GB stored with PITR`,
    },
    {
      service: 'Secrets Manager',
      usd: p.secretsManager.perSecretMonth + (invocations / 1000 / 10000) * p.secretsManager.per10000ApiCalls,
      detail: `1 secret × $${p.secretsManager.perSecretMonth} + reads at cold starts only`,
    },
    {
      service: 'CloudWatch',
      usd:
        billable(alarmMetrics, p.cloudwatch.freeAlarmMetrics, freeTier) * p.cloudwatch.perAlarmMetricMonth +
        billable(logGb, p.cloudwatch.freeLogsGb, freeTier) * p.cloudwatch.logsIngestionPerGb +
        logGb * p.cloudwatch.logsStoragePerGbMonth,
      detail: `${alarmMetrics} alarm metrics × $${p.cloudwatch.perAlarmMetricMonth} + ${round(logGb)} GB of logs`,
    },
    {
      service: 'SNS',
      usd: (billable(usage.uploads, p.sns.freePublishesPerMonth, freeTier) / 1e6) * p.sns.perMillionPublishes,
      detail: `${usage.uploads} "upload processed" messages × $${p.sns.perMillionPublishes}/million`,
    },
    {
      service: 'X-Ray',
      usd: (billable(invocations, p.xray.freeTracesPerMonth, freeTier) / 1e6) * p.xray.perMillionTracesRecorded,
      detail: `${invocations} traces × $${p.xray.perMillionTracesRecorded}/million (tracing = false removes it)`,
    },
  ].map((line) => ({ ...line, usd: round(line.usd) }) as Line);

  return { lines, totalUsd: round(lines.reduce((sum, l) => sum + l.usd, 0)), region: p.region, pricesAsOf: p.asOf };
}
