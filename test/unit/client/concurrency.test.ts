import { AdaptiveConcurrency } from '../../../client/concurrency';

const MiB = 1024 * 1024;
const PART = 8 * MiB;

/**
 * Sends `parts` parts over a simulated link whose throughput (bytes/s) depends only on the
 * parts in flight, feeding each completion to the controller; returns the seconds it took.
 */
function simulate(controller: AdaptiveConcurrency, parts: number, throughput: (inFlight: number) => number): number {
  let now = 0;
  for (let sent = 0; sent < parts; sent += 1) {
    const seconds = PART / throughput(controller.current);
    const startedAt = now;
    now += seconds * 1000;
    controller.record(PART, now, startedAt);
  }
  return now / 1000;
}

describe('AdaptiveConcurrency', () => {
  const limits = { initial: 4, min: 2, max: 16 };

  it('doubles the parts in flight while the rate grows, up to the maximum, on a link where each connection is capped', () => {
    // Prepare: 10 MiB/s per connection (a long round trip), 400 MiB/s in all.
    const controller = new AdaptiveConcurrency(limits);
    const perConnection = (n: number): number => Math.min(n * 10 * MiB, 400 * MiB);

    // Act
    const adaptive = simulate(controller, 400, perConnection);
    const fixed = 400 * (PART / perConnection(4));

    // Assess
    expect(controller.history.map((l) => l.concurrency)).toEqual(expect.arrayContaining([4, 8, 16]));
    expect(controller.current).toBe(16);
    expect(adaptive).toBeLessThan(fixed / 2.5);
  });

  it('goes back to the level it started from when doubling does not raise the rate (a saturated link)', () => {
    const controller = new AdaptiveConcurrency(limits);

    simulate(controller, 200, () => 100 * MiB);

    expect(controller.history.slice(0, 3).map((l) => l.concurrency)).toEqual([4, 4, 8]);
    expect(controller.current).toBe(4);
  });

  it('does not compare its first window, which carries the start-up: a slow start then a steady rate keeps the level', () => {
    // Prepare: the first 8 parts at half the rate (signing, connections, hashing start), then a saturated link.
    const controller = new AdaptiveConcurrency(limits);
    let now = 0;

    // Act
    for (let sent = 0; sent < 200; sent += 1) {
      const startedAt = now;
      now += (PART / (sent < 8 ? 50 * MiB : 100 * MiB)) * 1000;
      controller.record(PART, now, startedAt);
    }

    // Assess: doubled once to probe, found nothing, went back.
    expect(controller.history[0]).toMatchObject({ concurrency: 4, rate: 50 * MiB });
    expect(controller.history.slice(1, 3).map((l) => l.concurrency)).toEqual([4, 8]);
    expect(controller.current).toBe(4);
  });

  it('settles on the best level when more connections start to hurt', () => {
    const controller = new AdaptiveConcurrency(limits);
    const rates: Record<number, number> = { 4: 40 * MiB, 8: 80 * MiB, 16: 60 * MiB };

    simulate(controller, 300, (n) => rates[n] ?? 10 * MiB);

    expect(controller.current).toBe(8);
  });

  it('probes again once the settled rate falls below half of what it was', () => {
    const controller = new AdaptiveConcurrency(limits);
    let congested = false;
    simulate(controller, 100, () => 100 * MiB);
    expect(controller.current).toBe(4);

    congested = true;
    simulate(controller, 60, (n) => (congested ? n * 5 * MiB : 100 * MiB));

    expect(controller.current).toBeGreaterThan(4);
  });

  it('stays within its limits', () => {
    const controller = new AdaptiveConcurrency({ initial: 40, min: 2, max: 6 });

    simulate(controller, 100, (n) => n * MiB);

    expect(controller.current).toBeLessThanOrEqual(6);
    expect(controller.history.every((l) => l.concurrency <= 6 && l.concurrency >= 2)).toBe(true);
  });
});
