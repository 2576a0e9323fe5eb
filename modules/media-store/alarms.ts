import { Construct } from 'constructs';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ALARMS, DEFAULTS } from './defaults';
import { isNonEmpty, presenceOf } from './expressions';
import type { MediaStoreFunction } from './function';

export interface AlarmsProps {
  /** Prefix of the topic and alarm names. */
  readonly namePrefix: string;
  /** Every function: each gets an errors and a throttles alarm. */
  readonly functions: Readonly<Record<string, MediaStoreFunction>>;
  /** Name of the dead-letter queue of failed S3 events. */
  readonly deadLetterQueueName: string;
  /** ID of the HTTP API, for its 5xx rate. */
  readonly apiId: string;
  /** State machines: each gets an alarm on failed executions (`<address>_executions_failed`). @default none */
  readonly stateMachines?: readonly { readonly address: string; readonly name: string; readonly arn: string }[];
  /** Address subscribed to the ops topic by email; empty subscribes nobody. @default "" */
  readonly alarmEmail?: string;
  /** The ops topic (`OpsTopic`), made before the functions: the scrub publishes to it too. */
  readonly topic: SnsTopic;
}

/**
 * The ops topic: what the alarms notify, and where the scrub reports a corrupt file
 * (`file.corrupt`). Made before the functions, which the alarms then watch.
 */
export class OpsTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: { readonly namePrefix: string }) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', {
      name: `${props.namePrefix}-ops`,
      // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
      // Alarm messages carry alarm names, metrics and states; a scrub message the key of the
      // corrupt file (docs/security.md).
    });
    this.topic.overrideLogicalId('ops');
  }
}

/**
 * What an operator must hear about, on one SNS topic: a failed S3 event waiting in the
 * dead-letter queue, any function error or throttle (the authorizer's errors included), and
 * the API answering 5xx to more than ALARMS.api5xxRatePercent of requests.
 */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = props.topic;

    const email = props.alarmEmail ?? DEFAULTS.alarmEmail;
    const subscribed = presenceOf(isNonEmpty(email));
    if (subscribed) {
      new SnsTopicSubscription(this, 'email', { count: subscribed.count, topicArn: this.topic.arn, protocol: 'email', endpoint: email }).overrideLogicalId('ops_email');
    }

    const alarms: CloudwatchMetricAlarm[] = [];
    const alarm = (address: string, config: Omit<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions' | 'treatMissingData' | 'evaluationPeriods'>) => {
      const created = new CloudwatchMetricAlarm(this, address, {
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        ...config,
      });
      created.overrideLogicalId(address);
      alarms.push(created);
    };
    const everyPeriod = { period: ALARMS.periodSeconds, comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 1 } as const;

    alarm('sync_dead_letters', {
      alarmName: `${props.namePrefix}-sync-dead-letters`,
      alarmDescription: 'S3 events the sync function failed to process wait in the dead-letter queue: replay them or run npm run reconcile.',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: props.deadLetterQueueName },
      statistic: 'Maximum',
      ...everyPeriod,
    });

    for (const fn of Object.values(props.functions)) {
      const name = fn.function.functionName;
      alarm(`${fn.address}_errors`, {
        alarmName: `${name}-errors`,
        alarmDescription: `The ${fn.address} function failed (an exception or a timeout) at least once in ${ALARMS.periodSeconds / 60} minutes.`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: name },
        statistic: 'Sum',
        ...everyPeriod,
      });
      alarm(`${fn.address}_throttles`, {
        alarmName: `${name}-throttles`,
        alarmDescription: `Lambda refused to run the ${fn.address} function (concurrency limit) at least once in ${ALARMS.periodSeconds / 60} minutes.`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions: { FunctionName: name },
        statistic: 'Sum',
        ...everyPeriod,
      });
    }

    for (const machine of props.stateMachines ?? []) {
      alarm(`${machine.address}_executions_failed`, {
        alarmName: `${machine.name}-executions-failed`,
        alarmDescription: `An execution of the ${machine.name} state machine failed after its retries at least once in ${ALARMS.periodSeconds / 60} minutes (the file row says why).`,
        namespace: 'AWS/States',
        metricName: 'ExecutionsFailed',
        dimensions: { StateMachineArn: machine.arn },
        statistic: 'Sum',
        ...everyPeriod,
      });
    }

    // A rate, not a count: a busy API with a handful of 5xx is fine, a quiet one answering only 5xx is not.
    const apiMetric = (metricName: string) => ({
      metric: { namespace: 'AWS/ApiGateway', metricName, dimensions: { ApiId: props.apiId }, period: ALARMS.periodSeconds, stat: 'Sum' },
      returnData: false,
    });
    alarm('api_5xx_rate', {
      alarmName: `${props.namePrefix}-api-5xx-rate`,
      alarmDescription: `More than ${ALARMS.api5xxRatePercent}% of API requests answered 5xx in ${ALARMS.periodSeconds / 60} minutes.`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ALARMS.api5xxRatePercent,
      metricQuery: [
        { id: 'errors', ...apiMetric('5xx') },
        { id: 'requests', ...apiMetric('Count') },
        { id: 'rate', expression: 'IF(requests > 0, 100 * errors / requests, 0)', label: 'API 5xx rate (%)', returnData: true },
      ],
    });
    this.alarms = alarms;
  }
}
