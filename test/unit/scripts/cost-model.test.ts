import { ASSUMPTIONS, PRICES, estimate, type Usage } from '../../../scripts/cost-model';

const NOTHING: Usage = { storedGb: 0, uploads: 0, views: 0, servedGb: 0, users: 0 };
const line = (usage: Usage, service: string, freeTier = false) => estimate(usage, { freeTier }).lines.find((l) => l.service === service)!.usd;

describe('cost model', () => {
  describe('the price table', () => {
    it('names its region and the date of its prices', () => {
      expect(PRICES.region).toBe('us-east-1');
      expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it('prices an HTTP API at $1.00 per million requests, not REST\'s $3.50', () => {
      expect(PRICES.apiGateway.httpApiPerMillionRequests).toBe(1.0);
      expect(PRICES.apiGateway.restApiPerMillionRequests).toBe(3.5);
    });
  });

  describe('estimate', () => {
    it('prices 10,000 S3 GETs at $0.004, not $4.00 (the published estimate\'s error)', () => {
      expect(line({ ...NOTHING, views: 10_000 }, 'S3 requests')).toBeCloseTo(0.004, 6);
    });

    it('prices a million API requests at $1.00', () => {
      const views = 1_000_000 / ASSUMPTIONS.apiRequestsPerView;
      expect(line({ ...NOTHING, views }, 'API Gateway (HTTP API)')).toBeCloseTo(1.0, 6);
    });

    it('prices storage at $0.023 per GB-month', () => {
      expect(line({ ...NOTHING, storedGb: 1000 }, 'S3 storage')).toBeCloseTo(23, 6);
    });

    it('charges transfer out beyond the free 100 GB only when the free tier applies', () => {
      expect(line({ ...NOTHING, servedGb: 150 }, 'Data transfer out', true)).toBeCloseTo(50 * 0.09, 6);
      expect(line({ ...NOTHING, servedGb: 150 }, 'Data transfer out', false)).toBeCloseTo(150 * 0.09, 6);
    });

    it('counts an upload as a PUT plus the sync function\'s HEAD', () => {
      expect(line({ ...NOTHING, uploads: 1000 }, 'S3 requests')).toBeCloseTo(0.005 + 0.0004, 6);
    });

    it('charges Lambda per invocation and GB-second: handler and authorizer per API request', () => {
      const usage = { ...NOTHING, users: 10_000 }; // 600,000 API requests
      const invocations = 600_000 * 2;
      const gbSeconds = invocations * 0.1 * 0.5;
      expect(line(usage, 'Lambda')).toBeCloseTo((invocations / 1e6) * 0.2 + gbSeconds * 0.0000133334, 6);
    });

    it('adds the fixed monthly costs of an idle deployment: the secret and the alarms beyond the free ten', () => {
      const idle = estimate(NOTHING);
      expect(idle.lines.find((l) => l.service === 'Secrets Manager')!.usd).toBeCloseTo(0.4, 6);
      expect(idle.lines.find((l) => l.service === 'CloudWatch')!.usd).toBeCloseTo((13 - 10) * 0.1, 6);
      expect(idle.totalUsd).toBeCloseTo(0.7, 6);
    });

    it('totals its lines', () => {
      const result = estimate({ storedGb: 500, uploads: 2000, views: 50_000, servedGb: 300, users: 20 });
      expect(result.totalUsd).toBeCloseTo(result.lines.reduce((s, l) => s + l.usd, 0), 6);
      expect(result.lines.map((l) => l.service)).toEqual(
        expect.arrayContaining(['S3 storage', 'S3 requests', 'Data transfer out', 'API Gateway (HTTP API)', 'Lambda', 'DynamoDB']),
      );
    });

    it('refuses negative or non-numeric inputs', () => {
      expect(() => estimate({ ...NOTHING, views: -1 })).toThrow(RangeError);
      expect(() => estimate({ ...NOTHING, storedGb: Number.NaN })).toThrow(/storedGb/);
    });
  });
});
