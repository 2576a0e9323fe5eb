/**
 * The S3 client of tests that look into the local S3 directly: s3rver's one key pair,
 * path-style addressing, and checksums only where S3 requires them, as the project's clients.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb';

export function localS3Client(endpoint: string, region: string = LOCAL_REGION): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials: LOCAL_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED' });
}
