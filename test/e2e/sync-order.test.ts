/**
 * Property: the catalog ends equal to the bucket whatever the order, duplication and
 * HeadObject timing of S3 events — with the real FilesRepository and its conditional
 * writes on DynamoDB Local (the e2e stack's instance, in a table of this test's own so the
 * other tests' catalog is untouched). Several histories run at once, each in its own
 * folder partition. `SYNC_ORDER_HISTORIES` changes the count (default 1,000, the issue's bar).
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { FilesRepository } from '../../handlers/adapters/files-repository';
import type { CatalogFile, CatalogTombstone } from '../../handlers/core/catalog';
import { fileItemKey } from '../../contract/table';
import { parseObjectKey } from '../../handlers/core/paths';
import { ensureTable, tableFromContract } from '../../local/dynamodb';
import { differences, historyOf, play, scenarioArbitrary, type CatalogUnderTest } from '../support/sync-scenarios';
import { e2eContext } from './support/context';

/** 1,000 took 32 s here on an idle machine (2 cores); the same property in memory is test/unit/handlers/sync/sync-order.test.ts (~2 s). */
const HISTORIES = Number(process.env.SYNC_ORDER_HISTORIES ?? 1000);
const AT_ONCE = 8;

describe('syncObjectEvents in any order, on DynamoDB Local', () => {
  const context = e2eContext();
  const tableName = `sync-order-${randomBytes(4).toString('hex')}`;
  const client = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const catalog: CatalogUnderTest = {
    files: new FilesRepository({ tableName, client: documents }),
    async rows(keys) {
      const out = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys.map((key) => { const { folder, name } = parseObjectKey(key)!; return fileItemKey(folder, name); }), ConsistentRead: true } } }),
      );
      const items = (out.Responses?.[tableName] ?? []) as (CatalogFile | CatalogTombstone)[];
      return new Map(items.map((item) => [item.key, item]));
    },
  };

  beforeAll(async () => {
    await ensureTable(client, tableFromContract(tableName));
  });

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  it(`leaves the catalog equal to the bucket for ${HISTORIES} random histories, orders and duplicates`, async () => {
    let run = 0;
    let deliveries = 0;
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(scenarioArbitrary, fc.integer({ min: 1, max: 4 })), { minLength: AT_ONCE, maxLength: AT_ONCE }), async (batch) => {
        const results = await Promise.all(
          batch.map(async ([scenario, groupSize]) => {
            const history = historyOf(scenario, `/run-${run++}`);
            deliveries += history.deliveries.length;
            const played = await play(history, catalog, groupSize);
            return differences(history, await catalog.rows(history.keys), played);
          }),
        );
        expect(results.flat()).toEqual([]);
      }),
      { numRuns: Math.ceil(HISTORIES / AT_ONCE), endOnFailure: true },
    );
    expect(run).toBeGreaterThanOrEqual(HISTORIES);
    process.stdout.write(`[sync-order] ${run} histories, ${deliveries} deliveries on DynamoDB Local in ${Date.now() - started} ms\n`);
  }, 300_000);
});
