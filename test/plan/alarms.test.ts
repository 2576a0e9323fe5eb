import { FUNCTION_NAMES } from '../../contract/functions';
import { ALARMS } from '../../modules/media-store/defaults';
import { resourcesOf, synthesizeBoth, synthesizeConstruct, type StackJson } from './plan';

describe('MediaStore alarms', () => {
  let plan: StackJson;
  const alarm = (name: string): StackJson => {
    const found = plan.resource.aws_cloudwatch_metric_alarm?.[name] as StackJson | undefined;
    if (!found) throw new Error(`no aws_cloudwatch_metric_alarm.${name}`);
    return found;
  };
  const notifiesOps = (a: StackJson) => {
    expect(a.alarm_actions).toEqual(['${aws_sns_topic.ops.arn}']);
    expect(a.ok_actions).toEqual(['${aws_sns_topic.ops.arn}']);
    expect(a.treat_missing_data).toBe('notBreaching');
    expect(a.evaluation_periods).toBe(1);
  };

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  describe('the ops topic', () => {
    it('is named after the prefix and output as ops_topic_arn', () => {
      expect(plan.resource.aws_sns_topic.ops.name).toBe('${var.name_prefix}-ops');
      expect(plan.output.ops_topic_arn.value).toBe('${aws_sns_topic.ops.arn}');
    });

    it('subscribes alarm_email only when one is given, and refuses a malformed address', () => {
      const subscription = plan.resource.aws_sns_topic_subscription.ops_email;
      expect(subscription).toMatchObject({ count: '${("" != var.alarm_email) ? 1 : 0}', protocol: 'email', endpoint: '${var.alarm_email}', topic_arn: '${aws_sns_topic.ops.arn}' });
      expect(plan.variable.alarm_email.default).toBe('');
      expect(plan.variable.alarm_email.validation[0].condition).toContain('can(regex(');
      expect(resourcesOf(synthesizeConstruct(), 'aws_sns_topic_subscription')).toEqual([]);
      expect(resourcesOf(synthesizeConstruct({ alarmEmail: 'ops@example.com' }), 'aws_sns_topic_subscription')).toHaveLength(1);
    });
  });

  it('alarms as soon as one failed S3 event waits in the dead-letter queue', () => {
    const a = alarm('sync_dead_letters');
    expect(a).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: '${aws_sqs_queue.sync_failures.name}' },
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      period: ALARMS.periodSeconds,
    });
    notifiesOps(a);
  });

  it.each(FUNCTION_NAMES)('alarms on any error and any throttle of the %s function', (name) => {
    for (const [metric, address] of [['Errors', `${name}_errors`], ['Throttles', `${name}_throttles`]] as const) {
      const a = alarm(address);
      expect(a).toMatchObject({
        namespace: 'AWS/Lambda',
        metric_name: metric,
        dimensions: { FunctionName: `\${aws_lambda_function.${name}.function_name}` },
        statistic: 'Sum',
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
      });
      notifiesOps(a);
    }
  });

  it('alarms when more than 5% of API requests answer 5xx, as a rate over the request count', () => {
    const a = alarm('api_5xx_rate');
    expect(a.comparison_operator).toBe('GreaterThanThreshold');
    expect(a.threshold).toBe(5);
    const queries = Object.fromEntries((a.metric_query as StackJson[]).map((q) => [q.id, q]));
    expect(queries.errors.metric).toMatchObject({ namespace: 'AWS/ApiGateway', metric_name: '5xx', dimensions: { ApiId: '${aws_apigatewayv2_api.api.id}' }, stat: 'Sum' });
    expect(queries.requests.metric).toMatchObject({ namespace: 'AWS/ApiGateway', metric_name: 'Count', dimensions: { ApiId: '${aws_apigatewayv2_api.api.id}' }, stat: 'Sum' });
    expect(queries.rate).toMatchObject({ expression: 'IF(requests > 0, 100 * errors / requests, 0)', return_data: true });
    expect([queries.errors.return_data, queries.requests.return_data]).toEqual([false, false]);
    notifiesOps(a);
  });

  it('has exactly these alarms: dead letters, API 5xx rate, errors and throttles per function, failed video workflow executions', () => {
    expect(Object.keys(plan.resource.aws_cloudwatch_metric_alarm).sort()).toEqual(
      ['sync_dead_letters', 'api_5xx_rate', 'video_executions_failed', ...FUNCTION_NAMES.flatMap((n) => [`${n}_errors`, `${n}_throttles`])].sort(),
    );
  });
});
