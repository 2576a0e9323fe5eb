/**
 * Folder markers (`FOLDER#<parent>` / `DIR#<name>`) in the catalog table. Written with
 * UpdateItem only (create, re-create, tombstone), so the functions that write them need no
 * DeleteItem; a removed folder's marker keeps `status = deleted` and a `ttl`, like a file
 * tombstone, and listings return only `status = available`.
 *
 * Each marker carries a `generation` (core/folders.ts): set with `if_not_exists` whenever the
 * folder is marked (POST /folders, the sync's `ensureChain` when a file lands, ancestors of
 * both), removed by the tombstone, so re-marking a deleted folder gives it a fresh one while
 * marking a live folder again keeps it. Folder shares record it (handlers/files/shares.ts).
 */
import { GetCommand, paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TOMBSTONE_TTL_SECONDS } from '../core/catalog';
import { folderChain, folderRef, newFolderGeneration, type FolderMarker, type FolderRef } from '../core/folders';
import { FILE_PREFIX, FOLDER_MARKER_PREFIX, folderMarkerKey, folderPartition } from '../../contract/table';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface FolderCatalog {
  /** Marks every folder from the top down to `path` available; whether `path` itself was new (or deleted). */
  createChain(path: string, createdBy: string): Promise<boolean>;
  /** Like `createChain`, but returns at once when `path` is marked already (the sync path, once per file). */
  ensureChain(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** The available folder's marker; undefined when the folder does not exist (or is deleted). */
  marker(path: string): Promise<FolderMarker | undefined>;
  /**
   * The available folder's generation, stamping one on a marker written before generations;
   * undefined when the folder does not exist.
   */
  generation(path: string): Promise<string | undefined>;
  /** Names of the available subfolders of `parent`, sorted. */
  listChildren(parent: string): Promise<string[]>;
  /** Whether the folder holds an available file or subfolder. */
  hasContent(path: string): Promise<boolean>;
  /** Tombstones the marker; false when it was not available. */
  remove(path: string): Promise<boolean>;
}

export class FoldersRepository implements FolderCatalog {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async createChain(path: string, createdBy: string): Promise<boolean> {
    let created = false;
    // Top down: a marker exists only once its ancestors do.
    for (const ref of folderChain(path)) created = await this.mark(ref, createdBy);
    return created;
  }

  async ensureChain(path: string): Promise<void> {
    const chain = folderChain(path);
    const deepest = chain[chain.length - 1];
    if (deepest === undefined || (await this.exists(path))) return;
    for (const ref of chain) await this.mark(ref, undefined);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.marker(path)) !== undefined;
  }

  async marker(path: string): Promise<FolderMarker | undefined> {
    const ref = folderRef(path);
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: folderMarkerKey(ref.parent, ref.name), ConsistentRead: true }));
    if (out.Item?.status !== 'available') return undefined;
    return typeof out.Item.generation === 'string' ? { generation: out.Item.generation } : {};
  }

  async generation(path: string): Promise<string | undefined> {
    const ref = folderRef(path);
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: folderMarkerKey(ref.parent, ref.name),
          UpdateExpression: 'SET #generation = if_not_exists(#generation, :generation)',
          ConditionExpression: '#status = :available',
          ExpressionAttributeNames: { '#status': 'status', '#generation': 'generation' },
          ExpressionAttributeValues: { ':generation': newFolderGeneration(), ':available': 'available' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return String(out.Attributes?.generation);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async listChildren(parent: string): Promise<string[]> {
    const names: string[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dir)',
        FilterExpression: '#status = :available',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': folderPartition(parent), ':dir': FOLDER_MARKER_PREFIX, ':available': 'available' },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) if (typeof item.sk === 'string') names.push(item.sk.slice(FOLDER_MARKER_PREFIX.length));
    return names;
  }

  async hasContent(path: string): Promise<boolean> {
    const [files, folders] = await Promise.all([this.anyAvailable(path, FILE_PREFIX), this.anyAvailable(path, FOLDER_MARKER_PREFIX)]);
    return files || folders;
  }

  async remove(path: string): Promise<boolean> {
    const ref = folderRef(path);
    const now = new Date();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: folderMarkerKey(ref.parent, ref.name),
          // Without its generation: marked again, it is another folder.
          UpdateExpression: 'SET #status = :deleted, deletedAt = :now, updatedAt = :now, #ttl = :ttl REMOVE #generation',
          ConditionExpression: '#status = :available',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl', '#generation': 'generation' },
          ExpressionAttributeValues: { ':deleted': 'deleted', ':available': 'available', ':now': now.toISOString(), ':ttl': Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Whether the folder's partition holds an available item under `prefix`; tombstones do not count. */
  private async anyAvailable(path: string, prefix: string): Promise<boolean> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#status = :available',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': folderPartition(path), ':prefix': prefix, ':available': 'available' },
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) if ((page.Items ?? []).length > 0) return true;
    return false;
  }

  /** Marks one folder available (a deleted one with a new generation); true when it was not before. */
  private async mark(ref: FolderRef, createdBy: string | undefined): Promise<boolean> {
    const now = new Date().toISOString();
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: folderMarkerKey(ref.parent, ref.name),
        UpdateExpression:
          'SET kind = :folder, #path = :path, parent = :parent, #name = :name, #status = :available, #generation = if_not_exists(#generation, :generation), createdAt = if_not_exists(createdAt, :now), updatedAt = :now' +
          (createdBy !== undefined ? ', createdBy = if_not_exists(createdBy, :by)' : '') +
          ' REMOVE #ttl, deletedAt',
        ExpressionAttributeNames: { '#path': 'path', '#name': 'name', '#status': 'status', '#ttl': 'ttl', '#generation': 'generation' },
        ExpressionAttributeValues: {
          ':folder': 'folder',
          ':path': ref.path,
          ':parent': ref.parent,
          ':name': ref.name,
          ':available': 'available',
          ':now': now,
          ':generation': newFolderGeneration(),
          ...(createdBy !== undefined ? { ':by': createdBy } : {}),
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return out.Attributes?.status !== 'available';
  }
}
