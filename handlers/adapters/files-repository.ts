/**
 * The catalog's file items (`FOLDER#<folder>` / `FILE#<name>`): folder and type listings, the
 * sequencer-ordered writes of the sync function, and the files API's own writes.
 *
 * The files API writes a row only as a preview of an event on its way (the file it just
 * copied, the file it just deleted), and keeps the row's sequencer while doing so, on the
 * condition that the row is still the version it read. So every real event after that
 * version still overwrites the preview, every older one is still stale, and the final row
 * is the one the events alone would have produced.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FolderSort, SortOrder } from '../../contract/listing';
import type { CatalogFile, CatalogTombstone } from '../core/catalog';
import { FILE_TYPES, type FileType } from '../core/content-types';
import { FILE_PREFIX, TABLE_SCHEMA, contentIndexKeys, fileItemKey, folderPartition, takenIndexKeys, typeIndexKeys, uploadedIndexKeys } from '../../contract/table';
import { PROCESSING_STATUSES, takenSortKey, type DerivedName, type MediaInfo, type ProcessingStatus } from '../core/media';
import { parseObjectKey } from '../core/paths';
import { parseStoredVideo, type StoredVideo, type StoredVideoCopy } from '../core/video-copies';
import { cancelledItems, defaultDocumentClient, isConditionalCheckFailed, transactWrite, type TransactItems } from './aws-clients';
import type { RepositoryOptions } from './users-repository';
import { counterUpdate } from './timeline-counters';
import { counterChanges, isAfter, mergePage, monthOfSortKey, timelinePlaceOf, type TimelineEntry, type TimelinePlace, type TimelinePosition } from '../core/timeline';

export interface FolderPage {
  readonly files: readonly CatalogFile[];
  /** Name of the last file evaluated when more may follow; `undefined` at the end. */
  readonly lastName?: string;
}

interface TypePage {
  readonly files: readonly CatalogFile[];
  /** Index sort key of the last file evaluated when more may follow; `undefined` at the end. */
  readonly lastSortKey?: string;
}

interface DatePage {
  readonly files: readonly CatalogFile[];
  /** `byTaken` or `byUploaded` sort key of the last file evaluated when more may follow; `undefined` at the end. */
  readonly lastSortKey?: string;
}

/** The folder orders read from an index of their own. */
export type DateSort = Exclude<FolderSort, 'name'>;

/** What the process function found out about one version (ETag) of a file. */
export interface ProcessingResult {
  readonly processing: Exclude<ProcessingStatus, 'pending'>;
  readonly reason?: string;
  readonly media?: MediaInfo;
  readonly derived?: Readonly<Partial<Record<DerivedName, string>>>;
  /** The derived images' bytes together. */
  readonly derivedBytes?: number;
  /** Videos: the probe summary and decision, with a pending copy when one is being made. */
  readonly video?: StoredVideo;
}

/** Where a type listing resumes: the index sort key and S3 key of the last file of the previous page. */
export interface TypePageStart {
  readonly sortKey: string;
  readonly key: string;
}

/** `applied` when written; `stale` when the row already reflects this or a newer event. */
export type WriteOutcome = 'applied' | 'stale';

/** The version of a row as read: absent, or present with the sequencer of its last event. */
export type RowVersion = { readonly exists: false } | { readonly exists: true; readonly sequencer?: string };

/** A row as read: the available file (if it is one) and its version. */
export interface CatalogRow {
  readonly file?: CatalogFile;
  readonly version: RowVersion;
}

export interface FileDetails {
  readonly tags?: readonly string[];
  /** `null` removes the description. */
  readonly description?: string | null;
}

export interface FileCatalog {
  /** Available files of a folder in name order, A to Z unless `order` is `desc`. */
  listFolder(folder: string, options: { limit: number; afterName?: string; order?: SortOrder; fileType?: FileType }): Promise<FolderPage>;
  /** Available files of a type, newest first (the `byType` index), those `visible` accepts only. */
  listType(fileType: FileType, options: { limit: number; after?: TypePageStart; visible?: (file: CatalogFile) => boolean }): Promise<TypePage>;
  /** Available files of a folder by date taken (the `byTaken` index) or upload time (`byUploaded`), names breaking ties. */
  listByDate(folder: string, sort: DateSort, options: { limit: number; order: SortOrder; afterSortKey?: string; fileType?: FileType }): Promise<DatePage>;
  /**
   * Records processing results on the row of `folder`/`name`, only while it is available and
   * still the object version `etag` (a newer upload's row is never given an older file's
   * images); `stale` otherwise.
   */
  /** `uploadedAt` also writes the byUploaded index keys (rows catalogued before that index lack them). */
  recordProcessing(folder: string, name: string, etag: string, result: ProcessingResult, uploadedAt?: string): Promise<WriteOutcome>;
  /**
   * Records the outcome of a video's playable copy (`ready` with its key, or `failed` with a
   * reason) on the row, only while it describes the same version (ETag) and processing said a
   * copy is being made; `stale` otherwise (the copy then belongs to nobody: delete it).
   */
  recordVideoCopy(folder: string, name: string, etag: string, copy: StoredVideoCopy): Promise<WriteOutcome>;
  /** Strongly consistent read of one row. */
  getRow(folder: string, name: string): Promise<CatalogRow>;
  /** Available files among `keys` (S3 keys), by key; absent keys are not in the map. */
  getFiles(keys: readonly string[]): Promise<ReadonlyMap<string, CatalogFile>>;
  upsert(file: CatalogFile): Promise<WriteOutcome>;
  tombstone(tombstone: CatalogTombstone): Promise<WriteOutcome>;
  /** Writes a preview of a file whose event is on its way; `stale` when the row changed since `expected`. */
  previewFile(file: Omit<CatalogFile, 'sequencer'>, expected: RowVersion): Promise<WriteOutcome>;
  /** Writes a preview tombstone of a deleted object; `stale` when the row changed since `expected`. */
  previewTombstone(tombstone: Omit<CatalogTombstone, 'sequencer'>, expected: RowVersion): Promise<WriteOutcome>;
  /** Changes tags and description of an available file; `false` when there is none. */
  updateDetails(folder: string, name: string, details: FileDetails): Promise<boolean>;
  /**
   * One page of a month's available files across `folders` (each with its file count in the
   * month), newest taken first (upload time when there is no date taken), folders breaking
   * ties; after `after` when given.
   */
  listMonth(month: string, folders: ReadonlyMap<string, number>, options: { limit: number; after?: TimelinePosition }): Promise<MonthPage>;
}

interface MonthPage {
  readonly files: readonly CatalogFile[];
  /** Where the page ended when more may follow; `undefined` at the end of the month. */
  readonly last?: TimelinePosition;
}

/** Reads per query while filling a page: large enough to skip tombstones in few round trips. */
const MIN_QUERY_LIMIT = 50;
/** Reads per query of a folder listing filtered by type: most rows read may be of other types. */
const FILTERED_QUERY_LIMIT = 1000;
/**
 * Queries one filtered folder page may run (each reads up to FILTERED_QUERY_LIMIT rows or
 * 1 MB) before it returns what it found with a cursor, so a request over a large folder with
 * few matches ends well within the function's timeout; the client pages on.
 */
const DEFAULT_FILTERED_QUERY_BUDGET = 10;
/** Only write when the row is new or its sequencer is older (both are padded to one width). */
const NEWER_SEQUENCER = 'attribute_not_exists(pk) OR attribute_not_exists(sequencer) OR sequencer < :sequencer';
/** Sequencer of a preview row that no event has touched yet: lower than any real one. */
export const PREVIEW_SEQUENCER = '0'.repeat(32);
/** BatchGetItem reads at most 100 keys per request. */
const BATCH_GET_MAX_KEYS = 100;
const AVAILABLE = 'available';

/** A file of a page and the item it was read from (its index keys make the cursor). */
interface PageEntry {
  readonly file: CatalogFile;
  readonly item: Record<string, unknown>;
}

export interface FilesRepositoryOptions extends RepositoryOptions {
  /**
   * Queries one page of a folder listing filtered by type may run before it returns a
   * partial page (possibly empty) with a cursor.
   * @default DEFAULT_FILTERED_QUERY_BUDGET
   */
  readonly filteredQueryBudget?: number;
}

/** How collectPage reads: which files it keeps, how many rows per query, how many queries at most. */
interface PageReading {
  readonly keep?: (file: CatalogFile) => boolean;
  /** @default MIN_QUERY_LIMIT (at least the rows still wanted) */
  readonly readLimit?: number;
  /** @default no bound */
  readonly maxQueries?: number;
}

/** How a folder query is narrowed to one file type: the filter, its value and how the page is read. */
function typeFilter(fileType: FileType | undefined, budget: number): { filter: string; names: Record<string, string>; values: Record<string, string>; reading: PageReading } {
  if (fileType === undefined) return { filter: '', names: {}, values: {}, reading: {} };
  return { filter: ' AND #fileType = :fileType', names: { '#fileType': 'fileType' }, values: { ':fileType': fileType }, reading: { readLimit: FILTERED_QUERY_LIMIT, maxQueries: budget } };
}

export class FilesRepository implements FileCatalog {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly filteredQueryBudget: number;

  constructor(options: FilesRepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
    this.filteredQueryBudget = options.filteredQueryBudget ?? DEFAULT_FILTERED_QUERY_BUDGET;
  }

  /**
   * Available files of a folder in name order (of one `fileType` when given). Tombstones and
   * other types are filtered out by DynamoDB after the read, so it keeps querying until the
   * page is full or the folder is exhausted — and one file beyond, so a page that ends
   * exactly with the folder carries no cursor. A type-filtered page stops after the query
   * budget with what it found and a cursor where the reading stopped.
   */
  async listFolder(folder: string, options: { limit: number; afterName?: string; order?: SortOrder; fileType?: FileType }): Promise<FolderPage> {
    const narrow = typeFilter(options.fileType, this.filteredQueryBudget);
    const { files, more, stoppedAt } = await this.collectPage(
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :file)',
        FilterExpression: `#status = :available${narrow.filter}`,
        ExpressionAttributeNames: { '#status': 'status', ...narrow.names },
        ExpressionAttributeValues: { ':pk': folderPartition(folder), ':file': FILE_PREFIX, ':available': AVAILABLE, ...narrow.values },
        ScanIndexForward: options.order !== 'desc',
      },
      options.afterName === undefined ? undefined : { ...fileItemKey(folder, options.afterName) },
      options.limit,
      narrow.reading,
    );
    const page = files.map((f) => f.file);
    if (stoppedAt !== undefined) return { files: page, lastName: String(stoppedAt.sk).slice(FILE_PREFIX.length) };
    const last = files[files.length - 1];
    return more && last !== undefined ? { files: page, lastName: last.file.name } : { files: page };
  }

  /**
   * Available files of a type, newest first; tombstones carry no index keys, the filter is a
   * safety net. `visible` skips files the caller may not see, so a page is filled with
   * visible files only and its cursor names a visible file.
   */
  async listType(fileType: FileType, options: { limit: number; after?: TypePageStart; visible?: (file: CatalogFile) => boolean }): Promise<TypePage> {
    const index = TABLE_SCHEMA.typeIndex;
    const partition = typeIndexKeys(fileType, '', '').gsi1pk;
    let startKey: Record<string, unknown> | undefined;
    if (options.after !== undefined) {
      const location = parseObjectKey(options.after.key);
      if (location === undefined) throw new Error('listType: the start key is not a catalog key');
      startKey = { ...fileItemKey(location.folder, location.name), [index.partitionKey]: partition, [index.sortKey]: options.after.sortKey };
    }
    const { files, more } = await this.collectPage(
      {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#status = :available',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#status': 'status' },
        ExpressionAttributeValues: { ':pk': partition, ':available': AVAILABLE },
        ScanIndexForward: false,
      },
      startKey,
      options.limit,
      options.visible === undefined ? {} : { keep: options.visible },
    );
    const last = files[files.length - 1];
    const page = files.map((f) => f.file);
    return more && last !== undefined ? { files: page, lastSortKey: String(last.item[index.sortKey]) } : { files: page };
  }

  /**
   * Queries from `startKey` until `limit` kept files are read, then reads on until one more
   * kept file shows up (`more`) or the partition ends: a cursor is only ever handed out when
   * a next page holds at least one file — except when `maxQueries` ran out first: then the
   * page is what was found and `stoppedAt` the key the reading stopped at (resume there).
   */
  private async collectPage(
    query: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
    startKey: Record<string, unknown> | undefined,
    limit: number,
    reading: PageReading = {},
  ): Promise<{ files: PageEntry[]; more: boolean; stoppedAt?: Record<string, unknown> }> {
    const keep = reading.keep ?? (() => true);
    const files: PageEntry[] = [];
    let next = startKey;
    for (let queries = 1; ; queries += 1) {
      const out = await this.client.send(
        new QueryCommand({ ...query, Limit: Math.max(limit + 1 - files.length, reading.readLimit ?? MIN_QUERY_LIMIT), ...(next !== undefined ? { ExclusiveStartKey: next } : {}) }),
      );
      for (const item of out.Items ?? []) {
        const file = toFile(item);
        if (file === undefined || !keep(file)) continue;
        if (files.length === limit) return { files, more: true };
        files.push({ file, item });
      }
      next = out.LastEvaluatedKey;
      if (next === undefined) return { files, more: false };
      if (reading.maxQueries !== undefined && queries >= reading.maxQueries) return { files, more: true, stoppedAt: next };
    }
  }

  /** Available files of a folder by date taken (`byTaken`) or upload time (`byUploaded`), of one `fileType` when given; pages like `listFolder`. */
  async listByDate(folder: string, sort: DateSort, options: { limit: number; order: SortOrder; afterSortKey?: string; fileType?: FileType }): Promise<DatePage> {
    const index = sort === 'taken' ? TABLE_SCHEMA.takenIndex : TABLE_SCHEMA.uploadedIndex;
    const partition = folderPartition(folder);
    let startKey: Record<string, unknown> | undefined;
    if (options.afterSortKey !== undefined) {
      const name = options.afterSortKey.slice(options.afterSortKey.indexOf('#') + 1);
      startKey = { ...fileItemKey(folder, name), [index.partitionKey]: partition, [index.sortKey]: options.afterSortKey };
    }
    const narrow = typeFilter(options.fileType, this.filteredQueryBudget);
    const { files, more, stoppedAt } = await this.collectPage(
      {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: `#status = :available${narrow.filter}`,
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#status': 'status', ...narrow.names },
        ExpressionAttributeValues: { ':pk': partition, ':available': AVAILABLE, ...narrow.values },
        ScanIndexForward: options.order === 'asc',
      },
      startKey,
      options.limit,
      narrow.reading,
    );
    const page = files.map((f) => f.file);
    if (stoppedAt !== undefined) return { files: page, lastSortKey: String(stoppedAt[index.sortKey]) };
    const last = files[files.length - 1];
    return more && last !== undefined ? { files: page, lastSortKey: String(last.item[index.sortKey]) } : { files: page };
  }

  async recordProcessing(folder: string, name: string, etag: string, result: ProcessingResult, uploadedAt?: string): Promise<WriteOutcome> {
    const sets = ['#processing = :processing', 'updatedAt = :now'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':processing': result.processing, ':now': new Date().toISOString(), ':available': AVAILABLE, ':etag': etag };
    if (uploadedAt !== undefined) {
      // The same keys sync writes: rows catalogued before the byUploaded index get them here, so
      // `npm run reprocess -- --all` after an upgrade puts every file in the uploaded order.
      const keys = uploadedIndexKeys(folder, uploadedAt, name);
      sets.push(`${TABLE_SCHEMA.uploadedIndex.partitionKey} = :uploadedPk`, `${TABLE_SCHEMA.uploadedIndex.sortKey} = :uploadedSk`);
      values[':uploadedPk'] = keys.gsi3pk;
      values[':uploadedSk'] = keys.gsi3sk;
    }
    const optional: [string, unknown][] = [
      ['processingReason', result.reason],
      ['media', result.media],
      ['derived', result.derived],
      ['derivedBytes', result.derivedBytes],
      ['video', result.video],
    ];
    const names: Record<string, string> = { '#status': 'status', '#processing': 'processing' };
    for (const [attribute, value] of optional) {
      names[`#${attribute}`] = attribute;
      if (value === undefined) removes.push(`#${attribute}`);
      else {
        sets.push(`#${attribute} = :${attribute}`);
        values[`:${attribute}`] = value;
      }
    }
    if (result.media?.takenAt !== undefined) {
      // The row's own upload time is unknown here: only a known date taken moves the file in the index.
      sets.push(`${TABLE_SCHEMA.takenIndex.sortKey} = :takenSortKey`);
      values[':takenSortKey'] = takenSortKey(result.media.takenAt, result.media.takenAt, name);
    }
    const update = {
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :available AND etag = :etag',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const takenKey = values[':takenSortKey'] as string | undefined;
    // A date taken found moves the file to its month on the timeline.
    return this.countedWrite(fileItemKey(folder, name), (current) => {
      const before = timelinePlaceOf(current);
      return { update, after: before !== undefined && takenKey !== undefined ? { ...before, month: monthOfSortKey(takenKey) } : before };
    });
  }

  async recordVideoCopy(folder: string, name: string, etag: string, copy: StoredVideoCopy): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: fileItemKey(folder, name),
          UpdateExpression: 'SET #video.#copy = :copy, updatedAt = :now',
          // The same version, and processing recorded that a copy is being made of it.
          ConditionExpression: 'attribute_exists(pk) AND #status = :available AND etag = :etag AND attribute_exists(#video.#copy)',
          ExpressionAttributeNames: { '#status': 'status', '#video': 'video', '#copy': 'copy' },
          ExpressionAttributeValues: { ':copy': copy, ':now': new Date().toISOString(), ':available': AVAILABLE, ':etag': etag },
        }),
      );
      return 'applied';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'stale';
      throw error;
    }
  }

  async getRow(folder: string, name: string): Promise<CatalogRow> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: fileItemKey(folder, name), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined) return { version: { exists: false } };
    const file = item.status === AVAILABLE ? toFile(item) : undefined;
    const version: RowVersion = typeof item.sequencer === 'string' ? { exists: true, sequencer: item.sequencer } : { exists: true };
    return file === undefined ? { version } : { file, version };
  }

  async getFiles(keys: readonly string[]): Promise<ReadonlyMap<string, CatalogFile>> {
    const found = new Map<string, CatalogFile>();
    const itemKeys = [...new Set(keys)].flatMap((key) => {
      const location = parseObjectKey(key);
      return location === undefined ? [] : [fileItemKey(location.folder, location.name)];
    });
    for (let i = 0; i < itemKeys.length; i += BATCH_GET_MAX_KEYS) {
      let pending: Record<string, unknown>[] | undefined = itemKeys.slice(i, i + BATCH_GET_MAX_KEYS).map((k) => ({ ...k }));
      for (let attempt = 0; pending !== undefined && pending.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const file = item.status === AVAILABLE ? toFile(item) : undefined;
          if (file !== undefined) found.set(file.key, file);
        }
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  async previewFile(file: Omit<CatalogFile, 'sequencer'>, expected: RowVersion): Promise<WriteOutcome> {
    const sequencer = expected.exists ? (expected.sequencer ?? PREVIEW_SEQUENCER) : PREVIEW_SEQUENCER;
    const item = { ...fileItemKey(file.folder, file.name), ...indexKeysOf(file), ...file, sequencer, updatedAt: new Date().toISOString() };
    return this.putIfUnchanged(item, expected);
  }

  async previewTombstone(tombstone: Omit<CatalogTombstone, 'sequencer'>, expected: RowVersion): Promise<WriteOutcome> {
    const sequencer = expected.exists ? (expected.sequencer ?? PREVIEW_SEQUENCER) : PREVIEW_SEQUENCER;
    const item = { ...fileItemKey(tombstone.folder, tombstone.name), ...tombstone, sequencer, updatedAt: new Date().toISOString() };
    return this.putIfUnchanged(item, expected);
  }

  /**
   * Each folder's files of the month newest first (`byTaken`, between the month's first key and
   * the cursor's), up to `limit + 1` after the cursor — fewer when the counter says the folder
   * holds fewer — then merged (core/timeline.ts).
   */
  async listMonth(month: string, folders: ReadonlyMap<string, number>, options: { limit: number; after?: TimelinePosition }): Promise<MonthPage> {
    const index = TABLE_SCHEMA.takenIndex;
    const after = options.after;
    const perFolder = await Promise.all(
      [...folders].map(async ([folder, count]) => {
        const entries: TimelineEntry<CatalogFile>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: index.name,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
              FilterExpression: '#status = :available',
              ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, '#status': 'status' },
              ExpressionAttributeValues: {
                ':pk': folderPartition(folder),
                ':from': month,
                // The cursor's own key is included (another folder's file may share it) and dropped by the merge.
                ':to': after !== undefined && after.sortKey.startsWith(month) ? after.sortKey : `${month}-99`,
                ':available': AVAILABLE,
              },
              ScanIndexForward: false,
              Limit: Math.max(MONTH_QUERY_MIN, Math.min(options.limit + 1, count + 1) - entries.length),
              ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of out.Items ?? []) {
            const file = toFile(item);
            const sortKey = item[index.sortKey];
            if (file === undefined || typeof sortKey !== 'string') continue;
            const entry = { sortKey, folder, file };
            if (isAfter(entry, after)) entries.push(entry);
          }
          start = out.LastEvaluatedKey;
        } while (start !== undefined && entries.length <= options.limit);
        return entries;
      }),
    );
    const page = mergePage(perFolder, options.limit, after);
    return { files: page.entries.map((e) => e.file), ...(page.last !== undefined ? { last: page.last } : {}) };
  }

  async updateDetails(folder: string, name: string, details: FileDetails): Promise<boolean> {
    const sets = ['updatedAt = :now'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':now': new Date().toISOString(), ':available': AVAILABLE };
    if (details.tags !== undefined) {
      sets.push('tags = :tags');
      values[':tags'] = [...details.tags];
    }
    if (details.description === null) removes.push('description');
    else if (details.description !== undefined) {
      sets.push('description = :description');
      values[':description'] = details.description;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: fileItemKey(folder, name),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :available',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async upsert(file: CatalogFile): Promise<WriteOutcome> {
    const item = { ...fileItemKey(file.folder, file.name), ...indexKeysOf(file), ...file, updatedAt: new Date().toISOString() };
    return this.putIfNewer(item, file.sequencer);
  }

  /** Replaces the row with a tombstone (no index keys), so a late "created" event cannot resurrect it. */
  async tombstone(tombstone: CatalogTombstone): Promise<WriteOutcome> {
    const item = { ...fileItemKey(tombstone.folder, tombstone.name), ...tombstone, updatedAt: new Date().toISOString() };
    return this.putIfNewer(item, tombstone.sequencer);
  }

  private putIfUnchanged(item: Record<string, unknown>, expected: RowVersion): Promise<WriteOutcome> {
    const condition = unchangedCondition(expected);
    return this.countedWrite(fileItemKey(String(item.folder), String(item.name)), () => ({ put: { Item: item, ...condition }, after: timelinePlaceOf(item) }));
  }

  private putIfNewer(item: Record<string, unknown>, sequencer: string): Promise<WriteOutcome> {
    return this.countedWrite(fileItemKey(String(item.folder), String(item.name)), () => ({
      put: { Item: item, ConditionExpression: NEWER_SEQUENCER, ExpressionAttributeValues: { ':sequencer': sequencer } },
      after: timelinePlaceOf(item),
    }));
  }

  /**
   * Writes a file row and the timeline counters it moves, together. The row is read first
   * (where it counts now); the write is then made on the condition that the row still counts
   * there (status and `byTaken` key unchanged), beside its own condition — in one transaction
   * with the counter updates when it moves the file on the timeline (an upload, a delete, a
   * move, a date taken found), else alone. A Lambda retried after a timeout finds the row
   * written and the counters with it, never one without the other. When the guard failed (the
   * row changed between read and write) it reads again; when the write's own condition
   * failed, the write is `stale`.
   */
  private async countedWrite(key: { pk: string; sk: string }, plan: (current: Record<string, unknown> | undefined) => RowWritePlan): Promise<WriteOutcome> {
    for (let attempt = 0; attempt < MAX_GUARD_ATTEMPTS; attempt += 1) {
      const current = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
      const { after, ...write } = plan(current);
      const changes = counterChanges(timelinePlaceOf(current), after);
      const guard = guardOf(current);
      const own = 'put' in write ? write.put : write.update;
      const row = {
        TableName: this.tableName,
        ConditionExpression: `(${own.ConditionExpression}) AND (${guard.expression})`,
        // DynamoDB refuses empty name and value maps.
        ...(own.ExpressionAttributeNames !== undefined || guard.names !== undefined ? { ExpressionAttributeNames: { ...own.ExpressionAttributeNames, ...guard.names } } : {}),
        ...(own.ExpressionAttributeValues !== undefined || guard.values !== undefined ? { ExpressionAttributeValues: { ...own.ExpressionAttributeValues, ...guard.values } } : {}),
      };
      try {
        if ('put' in write) {
          const put = { ...row, Item: write.put.Item };
          if (changes.length === 0) await this.client.send(new PutCommand(put));
          else await transactWrite(this.client, [{ Put: put }, ...changes.map((c) => ({ Update: counterUpdate(this.tableName, c) }))] as TransactItems);
        } else {
          const update = { ...row, Key: key, UpdateExpression: write.update.UpdateExpression };
          if (changes.length === 0) await this.client.send(new UpdateCommand(update));
          else await transactWrite(this.client, [{ Update: update }, ...changes.map((c) => ({ Update: counterUpdate(this.tableName, c) }))] as TransactItems);
        }
        return 'applied';
      } catch (error) {
        const failed = isConditionalCheckFailed(error) || cancelledItems(error)?.[0] === true;
        if (!failed) throw error;
        const now = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
        // The row still counts where it did: the write's own condition refused it.
        if (guardOf(now).expression === guard.expression && sameGuarded(now, current)) return 'stale';
      }
    }
    throw new Error(`The catalog row ${key.pk} ${key.sk} kept changing while it was written`);
  }
}

/** Reads of a row that changed between read and write before a write gives up (and the caller retries). */
const MAX_GUARD_ATTEMPTS = 8;

interface ConditionParts {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** A row write: a whole item (Put) or an update, with its own condition, and where it leaves the file on the timeline. */
type RowWritePlan = ({ readonly put: ConditionParts & { readonly Item: Record<string, unknown> } } | { readonly update: ConditionParts & { readonly UpdateExpression: string } }) & {
  readonly after: TimelinePlace | undefined;
};

/** The condition "the row still counts where it did when read": its existence, status and `byTaken` key. */
function guardOf(item: Record<string, unknown> | undefined): { expression: string; names?: Record<string, string>; values?: Record<string, unknown> } {
  if (item === undefined) return { expression: 'attribute_not_exists(pk)' };
  const names = { '#tlStatus': 'status', '#tlTaken': TABLE_SCHEMA.takenIndex.sortKey };
  const status = typeof item.status === 'string' ? { expression: '#tlStatus = :tlStatus', values: { ':tlStatus': item.status } } : { expression: 'attribute_not_exists(#tlStatus)', values: {} };
  const taken = typeof item.gsi2sk === 'string' ? { expression: '#tlTaken = :tlTaken', values: { ':tlTaken': item.gsi2sk } } : { expression: 'attribute_not_exists(#tlTaken)', values: {} };
  const values = { ...status.values, ...taken.values };
  return { expression: `attribute_exists(pk) AND ${status.expression} AND ${taken.expression}`, names, ...(Object.keys(values).length > 0 ? { values } : {}) };
}

const sameGuarded = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean =>
  (a === undefined) === (b === undefined) && a?.status === b?.status && a?.gsi2sk === b?.gsi2sk;

/** Reads per query of a folder's month: enough for a page in one round trip most of the time. */
const MONTH_QUERY_MIN = 25;
/** The condition "the row is still the version that was read". */
function unchangedCondition(expected: RowVersion): { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> } {
  if (!expected.exists) return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (expected.sequencer === undefined) return { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sequencer)' };
  return { ConditionExpression: 'sequencer = :expected', ExpressionAttributeValues: { ':expected': expected.sequencer } };
}

/** The `byType`, `byTaken` and `byUploaded` index keys of a file row, and `byContent`'s when it has a SHA-256. */
function indexKeysOf(file: Pick<CatalogFile, 'fileType' | 'uploadedAt' | 'id' | 'folder' | 'name' | 'media' | 'sha256'>): Record<string, string> {
  return {
    ...typeIndexKeys(file.fileType, file.uploadedAt, file.id),
    ...takenIndexKeys(file.folder, takenSortKey(file.media?.takenAt, file.uploadedAt, file.name)),
    ...uploadedIndexKeys(file.folder, file.uploadedAt, file.name),
    ...(file.sha256 !== undefined ? contentIndexKeys(file.sha256, file.id) : {}),
  };
}

const MEDIA_NUMBERS = ['width', 'height', 'orientation', 'latitude', 'longitude', 'durationSeconds'] as const;
const MEDIA_STRINGS = ['takenAt', 'takenAtOffset', 'cameraMake', 'cameraModel', 'codec'] as const;

/** The processing fields of a row (or of a move's carried results), each kept only when it has the expected type. */
export function processingFieldsOf(item: Record<string, unknown>): Pick<CatalogFile, 'processing' | 'processingReason' | 'media' | 'derived' | 'derivedBytes' | 'video'> {
  const { processing, processingReason, media, derived, derivedBytes } = item;
  const fields: { -readonly [K in 'processing' | 'processingReason' | 'media' | 'derived' | 'derivedBytes' | 'video']?: CatalogFile[K] } = {};
  const video = parseStoredVideo(item.video);
  if (video !== undefined) fields.video = video;
  if ((PROCESSING_STATUSES as readonly unknown[]).includes(processing)) fields.processing = processing as ProcessingStatus;
  if (typeof processingReason === 'string') fields.processingReason = processingReason;
  if (typeof media === 'object' && media !== null) {
    const source = media as Record<string, unknown>;
    const info: Record<string, unknown> = {};
    for (const field of MEDIA_NUMBERS) if (typeof source[field] === 'number') info[field] = source[field];
    for (const field of MEDIA_STRINGS) if (typeof source[field] === 'string') info[field] = source[field];
    if (typeof source.browserPlayable === 'boolean') info.browserPlayable = source.browserPlayable;
    fields.media = info as MediaInfo;
  }
  if (typeof derived === 'object' && derived !== null) {
    const source = derived as Record<string, unknown>;
    fields.derived = Object.fromEntries((['thumb', 'preview', 'poster'] as const).flatMap((n) => (typeof source[n] === 'string' ? [[n, source[n] as string]] : [])));
  }
  if (typeof derivedBytes === 'number' && Number.isFinite(derivedBytes) && derivedBytes >= 0) fields.derivedBytes = derivedBytes;
  return fields;
}

function toFile(item: Record<string, unknown>): CatalogFile | undefined {
  const { id, key, folder, name, size, contentType, fileType, uploadedAt, uploadedBy, tags, description, etag, uploadId, sha256, verifiedAt, corruptAt, sequencer } = item;
  if (
    typeof id !== 'string' ||
    typeof key !== 'string' ||
    typeof folder !== 'string' ||
    typeof name !== 'string' ||
    typeof size !== 'number' ||
    typeof contentType !== 'string' ||
    typeof uploadedAt !== 'string' ||
    typeof uploadedBy !== 'string' ||
    typeof sequencer !== 'string'
  ) {
    return undefined;
  }
  return {
    id,
    key,
    folder,
    name,
    size,
    contentType,
    fileType: (FILE_TYPES as readonly unknown[]).includes(fileType) ? (fileType as FileType) : 'other',
    uploadedAt,
    uploadedBy,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof etag === 'string' ? { etag } : {}),
    ...(typeof uploadId === 'string' ? { uploadId } : {}),
    ...(typeof sha256 === 'string' ? { sha256 } : {}),
    ...(typeof verifiedAt === 'string' ? { verifiedAt } : {}),
    ...(typeof corruptAt === 'string' ? { corruptAt } : {}),
    sequencer,
    status: 'available',
    ...processingFieldsOf(item),
  };
}
