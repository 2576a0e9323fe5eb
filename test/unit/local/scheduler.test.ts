import { silentLogger } from '../../../local/log';
import { PlanError } from '../../../local/plan';
import { ratePeriodMs, startLocalScheduler, type LocalSchedule } from '../../../local/scheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local scheduler', () => {
  describe('ratePeriodMs', () => {
    it('reads EventBridge rate expressions in minutes, hours and days', () => {
      expect(ratePeriodMs('rate(1 hour)')).toBe(3_600_000);
      expect(ratePeriodMs('rate(5 minutes)')).toBe(300_000);
      expect(ratePeriodMs('rate(2 days)')).toBe(172_800_000);
    });

    it('throws naming the expression when it is a cron schedule or malformed', () => {
      expect(() => ratePeriodMs('cron(0 * * * ? *)')).toThrow(PlanError);
      expect(() => ratePeriodMs('rate(1 fortnight)')).toThrow(/rate\(1 fortnight\)/);
    });
  });

  describe('startLocalScheduler', () => {
    const schedule: LocalSchedule = { rule: 'sweep', expression: 'rate(1 hour)', periodMs: 3_600_000, functionResources: ['sweep'] };

    it('invokes the target with a Scheduled Event at the test interval, never two runs of a rule at once, none while paused', async () => {
      // Prepare
      const events: unknown[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const scheduler = startLocalScheduler({
        schedules: [schedule],
        functionOf: (resource) => `fn-${resource}`,
        invoke: async (name, event) => {
          expect(name).toBe('fn-sweep');
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          events.push(event);
          await sleep(120);
          inFlight -= 1;
          return { ok: true };
        },
        region: 'us-east-1',
        logger: silentLogger,
        intervalMs: 20,
      });
      // Act
      await sleep(400);
      await scheduler.pause();
      const whilePaused = events.length;
      await sleep(200);
      const afterPause = events.length;
      await scheduler.stop();
      // Assess
      expect(whilePaused).toBeGreaterThanOrEqual(2);
      expect(afterPause).toBe(whilePaused);
      expect(mostInFlight).toBe(1);
      expect(events[0]).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', resources: ['arn:aws:events:us-east-1:000000000000:rule/sweep'] });
    });
  });
});
