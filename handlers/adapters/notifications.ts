/** Notifications on the SNS topic: "upload processed", and the share messages of contract/notifications.ts. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ShareNotification } from '../../contract/notifications';
import type { CatalogFile } from '../core/catalog';

export type UploadProcessedNotifier = (file: CatalogFile) => Promise<void>;

export function snsUploadProcessedNotifier(topicArn: string, client: SNSClient = new SNSClient({})): UploadProcessedNotifier {
  return async (file) => {
    const message = {
      type: 'upload.processed',
      fileId: file.id,
      key: file.key,
      folder: file.folder,
      name: file.name,
      size: file.size,
      contentType: file.contentType,
      fileType: file.fileType,
      uploadedAt: file.uploadedAt,
      uploadedBy: file.uploadedBy,
    };
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(message),
        MessageAttributes: { type: { DataType: 'String', StringValue: message.type }, fileType: { DataType: 'String', StringValue: file.fileType } },
      }),
    );
  };
}

/** Publishes a share message (contract/notifications.ts) with `type` and `owner` as message attributes, for filter policies. */
export type ShareNotifier = (message: ShareNotification) => Promise<void>;

export function snsShareNotifier(topicArn: string, client: SNSClient = new SNSClient({})): ShareNotifier {
  return async (message) => {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(message),
        MessageAttributes: { type: { DataType: 'String', StringValue: message.type }, owner: { DataType: 'String', StringValue: message.owner } },
      }),
    );
  };
}
