import { faultInjector, FaultSpecError, parseFaultSpec } from '../../../local/faults';

describe('MEDIA_STORE_FAULTS (parseFaultSpec)', () => {
  it('reads rate, seed, services, kinds and timeout', () => {
    expect(parseFaultSpec('rate=0.05,seed=7,services=dynamodb+sns,kinds=throttle+timeout,timeoutMs=1500')).toEqual({
      rate: 0.05,
      seed: 7,
      services: ['dynamodb', 'sns'],
      kinds: ['throttle', 'timeout'],
      timeoutMs: 1500,
    });
    expect(parseFaultSpec('rate=0.1')).toEqual({ rate: 0.1 });
  });

  it.each([
    ['', /rate must be a number from 0 to 1/],
    ['rate=2', /rate must be a number from 0 to 1, got "2"/],
    ['rate=0.1,seed=-1', /seed must be an integer/],
    ['rate=0.1,services=dynamo', /services must be dynamodb\+s3\+sns.*"dynamo"/],
    ['rate=0.1,kinds=slow', /kinds must be throttle\+error\+timeout/],
    ['rate=0.1,speed=3', /unknown fault setting "speed"/],
    ['rate', /"rate" is not name=value/],
  ])('refuses %j naming the problem', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});

describe('faultInjector', () => {
  const draws = (seed: number, n = 2000) => {
    const faults = faultInjector({ rate: 0.1, seed });
    return Array.from({ length: n }, () => faults.next('dynamodb') ?? '-');
  };

  it('fails the chosen share of calls, of every kind', () => {
    const faults = faultInjector({ rate: 0.1, seed: 3 });
    for (let i = 0; i < 10_000; i++) faults.next('s3');
    const counts = faults.counts().s3;
    const total = counts.throttle + counts.error + counts.timeout;

    expect(total).toBeGreaterThan(850);
    expect(total).toBeLessThan(1150);
    for (const kind of ['throttle', 'error', 'timeout'] as const) expect(counts[kind]).toBeGreaterThan(total / 5);
    expect(faults.calls().s3).toBe(10_000);
  });

  it('is deterministic for a seed, and another seed gives other faults', () => {
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
  });

  it('keeps each service on its own stream: S3 traffic does not move DynamoDB faults', () => {
    const alone = draws(5, 500);
    const faults = faultInjector({ rate: 0.1, seed: 5 });
    const mixed = Array.from({ length: 500 }, () => {
      faults.next('s3');
      faults.next('sns');
      return faults.next('dynamodb') ?? '-';
    });

    expect(mixed).toEqual(alone);
  });

  it('injects only into the services and kinds asked for, and nothing once set to none', () => {
    const faults = faultInjector({ rate: 1, services: ['sns'], kinds: ['error'] });

    expect(faults.next('dynamodb')).toBeUndefined();
    expect(faults.next('s3')).toBeUndefined();
    expect(faults.next('sns')).toBe('error');
    faults.set(undefined);
    expect(faults.next('sns')).toBeUndefined();
  });
});
