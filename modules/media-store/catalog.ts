import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { CONTENT_INDEX_ATTRIBUTES, TABLE_SCHEMA } from '../../contract/table';
import { DEFAULTS } from './defaults';
import { unlessEmpty } from './expressions';

export interface CatalogProps {
  /** Table name. */
  readonly tableName: string;
  /** Refuse to delete the table (and its data) until this is switched off. @default true */
  readonly deletionProtection?: boolean;
  /** Customer managed KMS key of the table; empty: the AWS owned key. @default "" */
  readonly kmsKeyArn?: string;
}

/**
 * The catalog: one on-demand table for files (folder + name), users, login limiters and
 * upload sessions (contract/table.ts), with a GSI listing files by type in upload order, one listing a
 * folder by date taken, one listing a folder by upload time, and a sparse one of the sweep
 * function's work (contract/table.ts).
 * Point-in-time recovery and encryption at rest are always on.
 */
export class Catalog extends Construct {
  readonly table: DynamodbTable;
  /** ARN of the by-type index, for read policies. */
  readonly typeIndexArn: string;
  /** ARN of the by-date-taken index (a folder in shooting order). */
  readonly takenIndexArn: string;
  /** ARN of the by-upload-time index (a folder newest or oldest first). */
  readonly uploadedIndexArn: string;

  /** ARN of the sparse by-content index (files with the same whole-file SHA-256). */
  readonly contentIndexArn: string;

  /** ARN of the sparse by-due index (reminders and drop reservations the sweep function settles). */
  readonly dueIndexArn: string;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const { partitionKey, sortKey, ttlAttribute, typeIndex, takenIndex, uploadedIndex, contentIndex, dueIndex } = TABLE_SCHEMA;
    this.table = new DynamodbTable(this, 'table', {
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: partitionKey,
      rangeKey: sortKey,
      attribute: [
        { name: partitionKey, type: 'S' },
        { name: sortKey, type: 'S' },
        { name: typeIndex.partitionKey, type: 'S' },
        { name: typeIndex.sortKey, type: 'S' },
        { name: takenIndex.partitionKey, type: 'S' },
        { name: takenIndex.sortKey, type: 'S' },
        { name: uploadedIndex.partitionKey, type: 'S' },
        { name: uploadedIndex.sortKey, type: 'S' },
        { name: contentIndex.partitionKey, type: 'S' },
        { name: contentIndex.sortKey, type: 'S' },
        { name: dueIndex.partitionKey, type: 'S' },
        { name: dueIndex.sortKey, type: 'N' },
      ],
      globalSecondaryIndex: [
        {
          name: typeIndex.name,
          hashKey: typeIndex.partitionKey,
          rangeKey: typeIndex.sortKey,
          projectionType: 'ALL',
        },
        {
          name: takenIndex.name,
          hashKey: takenIndex.partitionKey,
          rangeKey: takenIndex.sortKey,
          projectionType: 'ALL',
        },
        {
          name: uploadedIndex.name,
          hashKey: uploadedIndex.partitionKey,
          rangeKey: uploadedIndex.sortKey,
          projectionType: 'ALL',
        },
        {
          // Sparse: only file rows with a whole-file SHA-256. What duplicate checks read, no more.
          name: contentIndex.name,
          hashKey: contentIndex.partitionKey,
          rangeKey: contentIndex.sortKey,
          projectionType: 'INCLUDE',
          nonKeyAttributes: [...CONTENT_INDEX_ATTRIBUTES],
        },
        {
          // Sparse: only share rows with a reminder due and drop reservations not yet settled.
          name: dueIndex.name,
          hashKey: dueIndex.partitionKey,
          rangeKey: dueIndex.sortKey,
          projectionType: 'ALL',
        },
      ],
      ttl: { attributeName: ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: unlessEmpty(props.kmsKeyArn ?? DEFAULTS.kmsKeyArn) },
      deletionProtectionEnabled: props.deletionProtection ?? DEFAULTS.tableDeletionProtection,
    });
    this.table.overrideLogicalId('catalog');
    this.typeIndexArn = `${this.table.arn}/index/${typeIndex.name}`;
    this.takenIndexArn = `${this.table.arn}/index/${takenIndex.name}`;
    this.uploadedIndexArn = `${this.table.arn}/index/${uploadedIndex.name}`;
    this.contentIndexArn = `${this.table.arn}/index/${contentIndex.name}`;
    this.dueIndexArn = `${this.table.arn}/index/${dueIndex.name}`;
  }
}
