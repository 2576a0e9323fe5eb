import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { FUNCTION_NAMES } from '../../contract/functions';
import type { MediaStore } from '../media-store';

/** The described outputs both stacks expose. */
export function declareOutputs(scope: Construct, store: MediaStore): void {
  // Construct ids are prefixed: variables of the same name live in the same scope.
  const output = (name: string, value: string, description: string) =>
    new TerraformOutput(scope, `output-${name}`, { value, description }).overrideLogicalId(name);

  output('api_url', store.api.url, 'Base URL of the HTTP API ($default stage).');
  output('custom_domain_url', store.customDomainUrl, 'https:// URL of the custom domain, or "" when none is configured.');
  output('bucket_name', store.storage.bucket.bucket, 'Name of the media bucket.');
  output('bucket_arn', store.storage.bucket.arn, 'ARN of the media bucket.');
  output('table_name', store.catalog.table.name, 'Name of the catalog DynamoDB table.');
  output('table_arn', store.catalog.table.arn, 'ARN of the catalog DynamoDB table.');
  output('sns_topic_arn', store.notifications.topic.arn, 'ARN of the "upload processed" SNS topic.');
  output('sync_dead_letter_queue_arn', store.failedEvents.queue.arn, 'ARN of the SQS queue receiving S3 events the sync function failed to process after its retries.');
  output('sync_dead_letter_queue_url', store.failedEvents.queue.url, 'URL of that queue (for aws sqs receive-message).');
  output('jwt_secret_arn', store.secret.arn, 'ARN of the Secrets Manager secret holding the JWT signing key (the value is not an output).');
  output('ops_topic_arn', store.alarms.topic.arn, 'ARN of the SNS topic every CloudWatch alarm notifies (subscribe on-call tools to it, or set alarm_email).');
  const site = store.site;
  output('site_url', site?.siteUrl ?? '', 'https:// URL of the web app (its custom domain when one is set), or "" when the site is off.');
  output('site_distribution_id', site?.distributionId ?? '', 'ID of the site\'s CloudFront distribution (for invalidations), or "" when the site is off.');
  output('site_distribution_domain_name', site?.distributionDomainName ?? '', 'CloudFront domain of the site, the target of a CNAME for site_domain_name outside Route 53; "" when the site is off.');
  output('site_bucket_name', site?.bucketName ?? '', 'Name of the private bucket holding the web app\'s files, or "" when the site is off.');
  output('cognito_user_pool_id', store.userPool?.poolId ?? '', 'ID of the Cognito user pool (create users with aws cognito-idp admin-create-user, add them to media-admins, media-editors or media-viewers), or "" when cognito_user_pool is false.');
  output('cognito_domain_prefix', store.userPool?.domainPrefix ?? '', 'Prefix of the pool\'s hosted sign-in domain (https://<prefix>.auth.<region>.amazoncognito.com), or "" when cognito_user_pool is false.');
  for (const name of FUNCTION_NAMES) {
    const fn = store.functions[name].function;
    output(`${name}_function_name`, fn.functionName, `Name of the ${name} Lambda function.`);
    output(`${name}_function_arn`, fn.arn, `ARN of the ${name} Lambda function.`);
  }
}
