/**
 * FilesRepository's type-filtered folder pages: the type goes to DynamoDB as a filter, pages
 * are read until full, and a page stops after the query budget with what it found and a
 * cursor where the reading stopped (so a huge folder with few matches never runs long).
 * DynamoDB's own filtering is exercised end to end in test/e2e/listing-filter.test.ts; here a
 * recording client plays DynamoDB's paging so the budget can be counted.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { FilesRepository } from '../../../../handlers/adapters/files-repository';

/** A folder row as the catalog stores it. */
function row(name: string, fileType: 'image' | 'video'): Record<string, unknown> {
  return {
    pk: 'FOLDER#/x',
    sk: `FILE#${name}`,
    id: name,
    key: `media/x/${name}`,
    folder: '/x',
    name,
    size: 1,
    contentType: fileType === 'video' ? 'video/mp4' : 'image/jpeg',
    fileType,
    uploadedAt: '2024-01-01T00:00:00.000Z',
    uploadedBy: 'ed',
    sequencer: '1',
    status: 'available',
  };
}

/** Plays DynamoDB paging over `rows` (in name order): Limit rows evaluated per query (at most 1,000, as its 1 MB cap would), the filter applied to them. */
function recordingClient(rows: readonly Record<string, unknown>[]): { client: DynamoDBDocumentClient; queries: QueryCommandInput[] } {
  const queries: QueryCommandInput[] = [];
  const client = {
    send: async (command: { input: QueryCommandInput }) => {
      const input = command.input;
      queries.push(input);
      const start = input.ExclusiveStartKey === undefined ? 0 : rows.findIndex((r) => r.sk === input.ExclusiveStartKey?.sk) + 1;
      const evaluated = rows.slice(start, start + Math.min(input.Limit ?? rows.length, 1000));
      const wanted = input.ExpressionAttributeValues?.[':fileType'];
      const end = start + evaluated.length;
      const last = evaluated[evaluated.length - 1];
      return {
        Items: evaluated.filter((r) => wanted === undefined || r.fileType === wanted),
        ...(end < rows.length && last !== undefined ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk } } : {}),
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, queries };
}

/** 2,500 images with videos at 10, 1,500 and 2,400, named in order. */
const ROWS = Array.from({ length: 2500 }, (_, i) => row(`f${String(i).padStart(5, '0')}.${[10, 1500, 2400].includes(i) ? 'mp4' : 'jpg'}`, [10, 1500, 2400].includes(i) ? 'video' : 'image'));

describe('FilesRepository type-filtered folder pages', () => {
  it('asks DynamoDB to filter on fileType and fills the page across queries', async () => {
    const { client, queries } = recordingClient(ROWS);
    const page = await new FilesRepository({ tableName: 't', client }).listFolder('/x', { limit: 10, fileType: 'video' });

    expect(page.files.map((f) => f.name)).toEqual(['f00010.mp4', 'f01500.mp4', 'f02400.mp4']);
    expect(page.lastName).toBeUndefined();
    expect(queries[0]).toMatchObject({ FilterExpression: '#status = :available AND #fileType = :fileType', ExpressionAttributeNames: { '#fileType': 'fileType' }, ExpressionAttributeValues: { ':fileType': 'video' } });
    expect(queries).toHaveLength(3);
  });

  it('stops after the query budget with a partial page and a cursor where reading stopped, and resumes from it', async () => {
    const { client, queries } = recordingClient(ROWS);
    const files = new FilesRepository({ tableName: 't', client, filteredQueryBudget: 1 });

    const first = await files.listFolder('/x', { limit: 10, fileType: 'video' });
    expect(first.files.map((f) => f.name)).toEqual(['f00010.mp4']);
    expect(first.lastName).toBe('f00999.jpg');
    expect(queries).toHaveLength(1);

    const second = await files.listFolder('/x', { limit: 10, fileType: 'video', afterName: first.lastName as string });
    expect(second.files.map((f) => f.name)).toEqual(['f01500.mp4']);
    const third = await files.listFolder('/x', { limit: 10, fileType: 'video', afterName: second.lastName as string });
    expect(third.files.map((f) => f.name)).toEqual(['f02400.mp4']);
    expect(third.lastName).toBeUndefined();
  });

  it('leaves an unfiltered folder page unbounded and unfiltered by type', async () => {
    const { client, queries } = recordingClient(ROWS);
    const page = await new FilesRepository({ tableName: 't', client, filteredQueryBudget: 1 }).listFolder('/x', { limit: 2000 });

    expect(page.files).toHaveLength(2000);
    expect(page.lastName).toBe('f01999.jpg');
    expect(queries[0]?.FilterExpression).toBe('#status = :available');
    expect(queries.length).toBeGreaterThan(1);
  });
});
