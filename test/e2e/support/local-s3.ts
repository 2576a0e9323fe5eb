/**
 * The S3 client of tests that look into the local S3 directly: the stack's key pair,
 * path-style addressing, and checksums only where S3 requires them, as the project's clients.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_REGION } from '../../../local/dynamodb';
import type { LocalCredentials } from '../../../local/sigv4';

export function localS3Client(endpoint: string, credentials: LocalCredentials, region: string = LOCAL_REGION): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
}
