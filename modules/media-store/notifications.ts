import { Construct } from 'constructs';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';

export interface NotificationsProps {
  /** Topic name. */
  readonly topicName: string;
}

/** The "upload processed" topic the sync function publishes to once a file is catalogued. */
export class Notifications extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'upload-processed', {
      name: props.topicName,
      // Encrypted at rest with the AWS-managed key; same-account publishers need no key grant.
      kmsMasterKeyId: 'alias/aws/sns',
    });
    this.topic.overrideLogicalId('upload_processed');
  }
}
