/**
 * The catalog table's physical schema, shared by the module (which creates it) and the
 * handlers' DynamoDB adapter (which reads and writes it). Single-table design:
 *
 * | item          | pk                     | sk                 | gsi1pk        | gsi1sk                   |
 * |---------------|------------------------|--------------------|---------------|--------------------------|
 * | file          | `FOLDER#<folder path>` | `FILE#<file name>` | `TYPE#<type>` | `<uploadedAt ISO>#<id>`  |
 * | user          | `USER#<username>`      | `PROFILE`          |               |                          |
 * | login limiter | `USER#<username>`      | `LOGIN`            |               |                          |
 * | upload        | `UPLOAD#<uploadId>`    | `SESSION`          |               |                          |
 *
 * Items that should expire (upload sessions, login limiters, tombstones) carry `ttl` in epoch seconds.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  typeIndex: { name: 'byType', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;
