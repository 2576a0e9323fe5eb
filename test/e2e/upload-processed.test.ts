/**
 * A processed upload publishes one "upload processed" message to the SNS topic: through the
 * local SNS (local/sns.ts) the sync function reaches with `AWS_ENDPOINT_URL_SNS` and the
 * topic's local ARN. A late or duplicate event of the same upload publishes nothing more.
 */
import { randomBytes } from 'node:crypto';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { jpegLike } from './support/media';
import { signedFetch, snsMessages } from './support/signed';

interface Published {
  messageId: string;
  topicArn: string;
  message: string;
  attributes: Record<string, { dataType: string; value: string }>;
}

describe('upload processed notifications', () => {
  const context = e2eContext();
  const folder = `/sns-${randomBytes(4).toString('hex')}`;
  const published = async (fileId: string): Promise<Published[]> => {
    const all = await snsMessages<Published>(context);
    return all.filter((m) => (JSON.parse(m.message) as { fileId?: string }).fileId === fileId);
  };

  it('publishes exactly one message with the file id, key, size and uploader once the upload is catalogued', async () => {
    const token = await login(context.editor);
    const bytes = jpegLike(54_321);
    const created = await api<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
      token,
      json: { folder, fileName: 'IMG 1 é.jpg', contentType: 'image/jpeg', size: bytes.length },
    });
    expect(created.status).toBe(201);
    const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
    expect(put.status).toBe(200);

    const messages = await eventually(async () => ((await published(created.body.fileId)).length > 0 ? published(created.body.fileId) : undefined), 10_000);
    // Anything late (a duplicate delivery) would arrive within the async retry window.
    await new Promise((r) => setTimeout(r, 500));

    expect(messages).toHaveLength(1);
    expect(await published(created.body.fileId)).toHaveLength(1);
    const [message] = messages!;
    expect(message!.topicArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:.+-upload-processed$/);
    expect(JSON.parse(message!.message)).toMatchObject({
      type: 'upload.processed',
      fileId: created.body.fileId,
      key: `media${folder}/IMG 1 é.jpg`,
      size: bytes.length,
      contentType: 'image/jpeg',
      fileType: 'image',
      uploadedBy: context.editor.username,
    });
    expect(message!.attributes).toEqual({ type: { dataType: 'String', value: 'upload.processed' }, fileType: { dataType: 'String', value: 'image' } });
  });

  it('answers unknown topics and actions as SNS does, without recording anything', async () => {
    const before = await snsMessages(context);
    const post = (body: string) => signedFetch(context.snsEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, context, 'sns');

    const unknownTopic = await post('Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anope&Message=x');
    const unknownAction = await post('Action=DeleteTopic&Version=2010-03-31');

    expect(unknownTopic.status).toBe(404);
    expect(await unknownTopic.text()).toContain('<Code>NotFound</Code>');
    expect(unknownAction.status).toBe(400);
    expect(await unknownAction.text()).toContain('<Code>InvalidAction</Code>');
    expect((await snsMessages(context)).length).toBeGreaterThanOrEqual(before.length);
  });
});
