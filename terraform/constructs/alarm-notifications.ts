import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import type { Notifications } from '../operations-config.js';

export interface AlarmNotificationsProps {
  readonly namePrefix: string;
  readonly notifications: Notifications;
  readonly accountId: string;
}

/**
 * Where the stage's alarms go. Either an existing topic (its ARN from the stage config; whoever owns it
 * manages its subscribers and its encryption), or a topic of the stage's own: encrypted with a key of its
 * own, because CloudWatch cannot publish to a topic under the AWS-managed SNS key (that key's policy
 * cannot be changed to let CloudWatch use it), with the stage's email subscriptions (each address gets a
 * confirmation mail from SNS and receives nothing until it confirms).
 */
export class AlarmNotifications extends Construct {
  readonly topicArn: string;
  readonly topic: SnsTopic | undefined;

  constructor(scope: Construct, id: string, props: AlarmNotificationsProps) {
    super(scope, id);
    const { notifications } = props;
    if (notifications.existingTopicArn !== undefined) {
      this.topic = undefined;
      this.topicArn = notifications.existingTopicArn;
      return;
    }
    const key = new KmsKey(this, 'key', {
      description: `Encrypts the ${props.namePrefix} alarm topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(props.accountId),
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${props.namePrefix}-alarms`, targetKeyId: key.keyId });
    this.topic = new SnsTopic(this, 'topic', { name: `${props.namePrefix}-alarms`, kmsMasterKeyId: key.arn });
    this.topicArn = this.topic.arn;
    notifications.emails.forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, { topicArn: this.topic?.arn ?? '', protocol: 'email', endpoint: email });
    });
  }
}

/**
 * The account administers the key through IAM, as in AWS's default key policy (that statement is the only
 * way a key stays manageable, hence its `kms:*`); CloudWatch may use it only to publish this account's alarms.
 */
function keyPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministersKeyThroughIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'CloudWatchPublishesAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  });
}
