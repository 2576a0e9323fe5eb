import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { DEFAULTS } from './defaults';
import type { MediaStoreFunction } from './function';

export interface SweepScheduleProps {
  /** Prefix of the rule's name: `<prefix>-sweep`. */
  readonly namePrefix: string;
  /** The sweep function the rule invokes. */
  readonly sweep: MediaStoreFunction;
  /** EventBridge schedule expression. @default "rate(1 hour)" */
  readonly schedule?: string;
  /** The job's name: the rule `<prefix>-<job>` and its addresses. @default "sweep" */
  readonly job?: string;
  /** @default the sweep's */
  readonly description?: string;
}

/**
 * Runs the sweep function on a schedule (an EventBridge rule): expiry reminders and abandoned
 * drop quota are due work listed by a sparse index, so one periodic query finds it all. Chosen
 * over one EventBridge Scheduler schedule per share, which would need the files function to
 * create and delete schedules (scheduler:* and iam:PassRole on a role of its own), a schedule
 * per upload for the quota, and cleanup of schedules of shares revoked or deleted.
 */
export class SweepSchedule extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);
    const job = props.job ?? 'sweep';
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: `${props.namePrefix}-${job}`,
      description: props.description ?? 'Runs the sweep function: share expiry reminders, quota of abandoned drop uploads',
      scheduleExpression: props.schedule ?? DEFAULTS.sweepSchedule,
    });
    this.rule.overrideLogicalId(job);
    new CloudwatchEventTarget(this, 'target', { rule: this.rule.name, arn: props.sweep.function.arn }).overrideLogicalId(job);
    // Only this rule may invoke the function.
    new LambdaPermission(this, 'allow-rule', {
      statementId: job === 'sweep' ? 'AllowSweepSchedule' : `Allow${job[0]!.toUpperCase()}${job.slice(1)}Schedule`,
      action: 'lambda:InvokeFunction',
      functionName: props.sweep.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    }).overrideLogicalId(`${job}_schedule`);
  }
}
