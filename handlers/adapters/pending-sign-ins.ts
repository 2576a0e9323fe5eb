/**
 * Sign-ins through the identity provider between the redirect and the browser's return
 * (`SESSION#~oidc#<state SHA-256>` / `SIGNIN`, contract/table.ts): written at the start, taken
 * (deleted, so used once) at the return. They live `PENDING_SIGN_IN_SECONDS`.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pendingSignInKey } from '../../contract/table';
import { defaultDocumentClient } from './aws-clients';
import type { PendingSignIn } from './oidc-client';

const PENDING_SIGN_IN_SECONDS = 600;

/** What the browser returns to: its app's origin, besides what the provider exchange needs. */
interface StoredSignIn extends PendingSignIn {
  readonly appOrigin: string;
}

const stateHash = (state: string): string => createHash('sha256').update(state, 'utf8').digest('base64url');

export class PendingSignIns {
  private readonly client: DynamoDBDocumentClient;

  constructor(private readonly options: { readonly tableName: string; readonly client?: DynamoDBDocumentClient }) {
    this.client = options.client ?? defaultDocumentClient();
  }

  async put(signIn: StoredSignIn, now: number): Promise<void> {
    const expiresAt = now + PENDING_SIGN_IN_SECONDS;
    const { state, ...kept } = signIn;
    await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: { ...pendingSignInKey(stateHash(state)), ...kept, expiresAt, ttl: expiresAt } }));
  }

  /** The sign-in of this state, deleted as it is read; `undefined` when unknown, used or expired. */
  async take(state: string, now: number): Promise<StoredSignIn | undefined> {
    const out = await this.client.send(new DeleteCommand({ TableName: this.options.tableName, Key: pendingSignInKey(stateHash(state)), ReturnValues: 'ALL_OLD' }));
    const item = out.Attributes;
    if (item === undefined || typeof item.expiresAt !== 'number' || item.expiresAt <= now) return undefined;
    const { nonce, codeVerifier, redirectUri, appOrigin } = item;
    if (typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof redirectUri !== 'string' || typeof appOrigin !== 'string') return undefined;
    return { state, nonce, codeVerifier, redirectUri, appOrigin };
  }
}
