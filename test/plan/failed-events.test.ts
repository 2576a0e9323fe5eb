import { byPath, nameByPath, resourcesOf, synthesizeBoth, type StackJson } from './plan';

describe('MediaStore failed sync events', () => {
  let plan: StackJson;
  const queueName = () => nameByPath(plan, 'aws_sqs_queue', 'failed-events/queue');

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  describe('the dead-letter queue', () => {
    it('is the only queue, named after the prefix', () => {
      expect(resourcesOf(plan, 'aws_sqs_queue')).toHaveLength(1);
      expect(byPath(plan, 'aws_sqs_queue', 'failed-events/queue').name).toBe('${var.name_prefix}-sync-failures');
    });

    it('encrypts messages at rest with SQS-managed keys', () => {
      expect(byPath(plan, 'aws_sqs_queue', 'failed-events/queue').sqs_managed_sse_enabled).toBe(true);
    });

    it('keeps failed events for 14 days, the most SQS allows', () => {
      expect(byPath(plan, 'aws_sqs_queue', 'failed-events/queue').message_retention_seconds).toBe(14 * 24 * 3600);
    });
  });

  describe('the sync function\'s asynchronous invocation config', () => {
    const config = () => {
      const sync = nameByPath(plan, 'aws_lambda_function', 'functions/sync/function');
      const configs = resourcesOf(plan, 'aws_lambda_function_event_invoke_config').filter(([, c]) => c.function_name === `\${aws_lambda_function.${sync}.function_name}`);
      expect(configs).toHaveLength(1);
      return configs[0][1];
    };

    it('exists for the sync and the process function only', () => {
      const targets = resourcesOf(plan, 'aws_lambda_function_event_invoke_config').map(([, c]) => /aws_lambda_function\.([^.]+)\./.exec(c.function_name)![1]);
      expect(targets.sort()).toEqual(['functions/process/function', 'functions/sync/function'].map((p) => nameByPath(plan, 'aws_lambda_function', p)).sort());
      expect(config().maximum_retry_attempts).toBeDefined();
    });

    it('sends events that still fail after the retries to the queue', () => {
      expect(config().destination_config).toEqual({ on_failure: { destination: `\${aws_sqs_queue.${queueName()}.arn}` } });
    });

    it('retries as many times as the sync_max_retry_attempts variable says, 2 by default, 0-2 allowed', () => {
      expect(config().maximum_retry_attempts).toBe('${var.sync_max_retry_attempts}');
      const variable = (plan.variable as Record<string, StackJson>).sync_max_retry_attempts;
      expect(variable.default).toBe(2);
      expect(variable.validation[0].condition).toContain('var.sync_max_retry_attempts >= 0 && var.sync_max_retry_attempts <= 2');
    });
  });

  it('outputs the queue ARN and URL', () => {
    const outputs = plan.output as Record<string, StackJson>;
    expect(outputs.sync_dead_letter_queue_arn.value).toBe(`\${aws_sqs_queue.${queueName()}.arn}`);
    expect(outputs.sync_dead_letter_queue_url.value).toBe(`\${aws_sqs_queue.${queueName()}.url}`);
  });
});
