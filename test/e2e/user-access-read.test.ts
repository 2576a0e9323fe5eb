/**
 * The files and uploads roles may read a user row only through GetItem with exactly the
 * attributes of USER_ACCESS_ATTRIBUTES (an IAM condition the local stack cannot enforce), so
 * the one read they make must project them: checked here against DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { USER_ACCESS_ATTRIBUTES } from '../../contract/table';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { e2eContext } from './support/context';

describe('UsersRepository.getAccess', () => {
  const context = e2eContext();
  const dynamodb = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials });
  const users = new UsersRepository({ tableName: context.tableName, client: DynamoDBDocumentClient.from(dynamodb) });
  afterAll(() => dynamodb.destroy());

  it('reads a user\'s role, folder limits and session version without the password hash', async () => {
    // Prepare
    const username = `access-${Date.now()}`;
    await users.create({ username, role: 'editor', passwordHash: 'scrypt$not-a-real-hash', folders: ['/family'] });
    // Act
    const access = await users.getAccess(username);
    // Assess
    expect(access).toMatchObject({ username, role: 'editor', folders: ['/family'] });
    expect(typeof access?.sessionVersion).toBe('string');
    expect(access).not.toHaveProperty('passwordHash');
    for (const key of Object.keys(access ?? {})) expect(USER_ACCESS_ATTRIBUTES).toContain(key);
    // The e2e stack is shared: give the place back.
    await users.remove(username);
  });

  it('answers undefined for a user that does not exist', async () => {
    expect(await users.getAccess('nobody-by-this-name')).toBeUndefined();
  });
});
