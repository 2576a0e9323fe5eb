import { Construct } from 'constructs';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { DEFAULTS, FAILED_EVENT_RETENTION_SECONDS } from './defaults';
import type { MediaStoreFunction } from './function';

export interface FailedEventsProps {
  /** Queue name. */
  readonly queueName: string;
}

/**
 * The dead-letter queue of asynchronous invocations: an S3 event the sync function still
 * fails after Lambda's retries lands here (with the error) instead of being lost, so it can
 * be inspected and replayed, or `npm run reconcile` run. Encrypted with SQS-managed keys
 * (Lambda needs no KMS grant to send), messages kept 14 days, SQS's maximum.
 */
export class FailedEvents extends Construct {
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: FailedEventsProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, 'queue', {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: FAILED_EVENT_RETENTION_SECONDS,
    });
    this.queue.overrideLogicalId('sync_failures');
  }

  /**
   * Sends `target`'s failed asynchronous invocations here once `maxRetryAttempts` retries
   * are spent. The function's role must be allowed `sqs:SendMessage` on the queue.
   */
  catchFailuresOf(target: MediaStoreFunction, maxRetryAttempts: number = DEFAULTS.syncMaxRetryAttempts): LambdaFunctionEventInvokeConfig {
    const config = new LambdaFunctionEventInvokeConfig(this, `${target.node.id}-invoke-config`, {
      functionName: target.function.functionName,
      maximumRetryAttempts: maxRetryAttempts,
      destinationConfig: { onFailure: { destination: this.queue.arn } },
    });
    config.overrideLogicalId(target.address);
    return config;
  }
}
