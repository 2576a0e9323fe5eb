/**
 * Property: whatever the arrival order, duplication and HeadObject timing of S3 events, the
 * catalog ends equal to the bucket. The real sync code runs over a catalog with the
 * DynamoDB condition of FilesRepository in memory; test/e2e/sync-order.test.ts runs the
 * same scenarios against DynamoDB Local.
 */
import fc from 'fast-check';
import { differences, historyOf, MemoryFileCatalog, play, scenarioArbitrary } from '../../../support/sync-scenarios';

describe('syncObjectEvents in any order', () => {
  it('leaves the catalog equal to the bucket for 1,000 random histories, orders and duplicates', async () => {
    let run = 0;
    let deliveries = 0;
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, fc.integer({ min: 1, max: 4 }), async (scenario, groupSize) => {
        const history = historyOf(scenario, `/run-${run++}`);
        deliveries += history.deliveries.length;
        const catalog = new MemoryFileCatalog();

        const played = await play(history, catalog, groupSize);

        expect(differences(history, await catalog.rows(history.keys), played)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
    // Guards against a generator that stopped producing work.
    expect(deliveries).toBeGreaterThan(1000 * 4);
    process.stdout.write(`[sync-order] 1000 histories, ${deliveries} deliveries in memory in ${Date.now() - started} ms\n`);
  });

  it('detects a catalog that applies writes regardless of sequencer (the property can fail)', async () => {
    const unguarded = new MemoryFileCatalog();
    (unguarded as unknown as { putIfNewer: (row: { key: string }) => string }).putIfNewer = function (this: { items: Map<string, unknown> }, row: { key: string }) {
      this.items.set(row.key, row);
      return 'applied';
    };
    const history = historyOf(
      {
        operations: [
          { kind: 'put', name: 0, size: 1, type: 0, owner: 0 },
          { kind: 'delete', name: 0, size: 0, type: 0, owner: 0 },
        ],
        sequencerStart: 0xfffe,
        sequencerSteps: [1, 2],
        copies: [1, 1],
        lags: [0, 0, 0, 0, 0, 0],
        // The delete is written first, the earlier put (which still saw the object) last.
        orders: [9, 0, 0, 1, 0, 0],
      },
      '/broken',
    );

    const played = await play(history, unguarded);

    expect(differences(history, await unguarded.rows(history.keys), played)).toEqual([expect.stringContaining('row available but no object')]);
  });
});
