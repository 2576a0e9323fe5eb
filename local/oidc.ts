/**
 * The local OpenID provider (local/oidc-provider-server.mjs, panva's `oidc-provider`) in a
 * child process: what `npm start -- --oidc` and the OIDC tests sign in with. Its test users,
 * clients and the API's audience are declared here, once; docs/security.md "Identity
 * provider" lists them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './log';

/** The audience (RFC 8707 resource) of access tokens for the API: the module's `oidc_audience` locally. */
const LOCAL_OIDC_AUDIENCE = 'urn:media-store:api';
/** Another API of the same provider: its tokens must not open this one. */
export const LOCAL_OIDC_OTHER_AUDIENCE = 'urn:other-service:api';
const LOCAL_OIDC_WEB_CLIENT = 'media-store';
export const LOCAL_OIDC_MACHINE_CLIENT = 'ci-uploader';
/** A machine client whose access tokens live 2 seconds (the expiry tests). */
export const LOCAL_OIDC_SHORT_LIVED_CLIENT = 'ci-short-lived';
/** The claim the local provider puts the users' groups in, and how they map to roles. */
const LOCAL_OIDC_ROLE_CLAIM = 'groups';
const LOCAL_OIDC_FOLDERS_CLAIM = 'media_folders';
const LOCAL_OIDC_ROLE_MAPPING: Readonly<Record<string, 'admin' | 'editor' | 'viewer'>> = {
  'media-admins': 'admin',
  'media-editors': 'editor',
  'media-viewers': 'viewer',
  'media-store.upload': 'editor',
};
const LOCAL_OIDC_SCOPES = ['openid', 'profile', 'email', 'groups', 'media_folders'];

interface LocalOidcUser {
  readonly password: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The documented test users (passwords are for this local provider only): `alice` an admin,
 * `bob` an editor limited to /family, `carol` a viewer, `mallory` in no mapped group (refused).
 */
export const LOCAL_OIDC_USERS: Readonly<Record<string, LocalOidcUser>> = {
  alice: { password: 'alice-local-password', claims: { name: 'Alice Admin', preferred_username: 'alice', email: 'alice@example.test', email_verified: true, groups: ['media-admins'] } },
  bob: { password: 'bob-local-password', claims: { name: 'Bob Editor', preferred_username: 'bob', email: 'bob@example.test', email_verified: true, groups: ['media-editors', 'staff'], media_folders: ['/family'] } },
  carol: { password: 'carol-local-password', claims: { name: 'Carol Viewer', preferred_username: 'carol', groups: ['media-viewers'] } },
  mallory: { password: 'mallory-local-password', claims: { name: 'Mallory', preferred_username: 'mallory', groups: ['staff'] } },
};

export interface LocalOidcOptions {
  /** @default a free port */
  readonly port?: number;
  /** Where the web client may be sent back (the service's `/api/auth/oidc/callback` URLs). */
  readonly redirectUris?: readonly string[];
  /** Where the provider may send a browser after its logout. */
  readonly postLogoutRedirectUris?: readonly string[];
  readonly logger?: Logger;
}

export interface LocalOidcProvider {
  readonly issuer: string;
  readonly audience: string;
  /** Client ids and their secrets (the web client's goes into the local Secrets Manager). */
  readonly clients: Readonly<Record<string, string>>;
  /** A client-credentials access token for `resource` (default: the API's audience). */
  clientCredentialsToken(clientId: string, options?: { scope?: string; resource?: string }): Promise<string>;
  /** Signs with a new key from now on; the JWKS keeps the old one. Returns the new key id. */
  rotateKeys(): Promise<string>;
  stop(): Promise<void>;
}

const SERVER = path.join(__dirname, 'oidc-provider-server.mjs');

export async function startLocalOidcProvider(options: LocalOidcOptions = {}): Promise<LocalOidcProvider> {
  const secret = (): string => randomBytes(24).toString('base64url');
  const clients: Record<string, string> = {
    [LOCAL_OIDC_WEB_CLIENT]: secret(),
    [LOCAL_OIDC_MACHINE_CLIENT]: secret(),
    [LOCAL_OIDC_SHORT_LIVED_CLIENT]: secret(),
  };
  const machineScope = 'media-store.upload';
  const controlToken = secret();
  const config = {
    port: options.port ?? 0,
    controlToken,
    users: LOCAL_OIDC_USERS,
    resources: {
      [LOCAL_OIDC_AUDIENCE]: { scope: machineScope },
      [LOCAL_OIDC_OTHER_AUDIENCE]: { scope: machineScope },
    },
    accessTokenTtlSeconds: { [LOCAL_OIDC_SHORT_LIVED_CLIENT]: 2 },
    clients: [
      {
        client_id: LOCAL_OIDC_WEB_CLIENT,
        client_secret: clients[LOCAL_OIDC_WEB_CLIENT],
        redirect_uris: [...(options.redirectUris ?? [])],
        post_logout_redirect_uris: [...(options.postLogoutRedirectUris ?? [])],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        scope: LOCAL_OIDC_SCOPES.join(' '),
      },
      ...[LOCAL_OIDC_MACHINE_CLIENT, LOCAL_OIDC_SHORT_LIVED_CLIENT].map((id) => ({
        client_id: id,
        client_secret: clients[id],
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: machineScope,
      })),
    ],
  };
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', MEDIA_STORE_OIDC_CONFIG: JSON.stringify(config), DEBUG: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log = (line: string): void => {
    if (line.trim()) options.logger?.info('oidc', line);
  };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').forEach(log));
  const issuer = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the local OpenID provider did not start within 20 s')), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local OpenID provider exited with ${String(code)} before it was ready`));
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const ready = /^ready (\S+)$/m.exec(buffered);
      if (ready?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
      buffered.split('\n').slice(0, -1).filter((l) => !l.startsWith('ready ')).forEach(log);
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
  options.logger?.info('oidc', `provider up at ${issuer}`);

  return {
    issuer,
    audience: LOCAL_OIDC_AUDIENCE,
    clients,
    async clientCredentialsToken(clientId, tokenOptions = {}) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clients[clientId] ?? ''}`).toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: tokenOptions.resource ?? LOCAL_OIDC_AUDIENCE,
          ...((tokenOptions.scope ?? machineScope) !== '' ? { scope: tokenOptions.scope ?? machineScope } : {}),
        }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (response.status !== 200 || body.access_token === undefined) throw new Error(`client credentials for ${clientId} answered ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
      return body.access_token;
    },
    async rotateKeys() {
      const response = await fetch(`${issuer}/_local/rotate-keys`, { method: 'POST', headers: { authorization: `Bearer ${controlToken}` } });
      if (response.status !== 200) throw new Error(`key rotation answered ${response.status}`);
      return ((await response.json()) as { kid: string }).kid;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The service's callback under the app's origin (the API is under `/api` there). */
export const oidcCallbackUrl = (appOrigin: string): string => `${appOrigin}/api/auth/oidc/callback`;

/** The local stack's options that sign in with the local provider (module variables and the client secret). */
export function localOidcStackOptions(provider: LocalOidcProvider, extra: { readonly localLoginEnabled?: boolean } = {}): {
  variables: Record<string, string | boolean | string[] | Record<string, string>>;
  externalSecrets: Record<string, { name: string; value: string }>;
} {
  return {
    variables: {
      oidc_issuer_url: provider.issuer,
      oidc_client_id: LOCAL_OIDC_WEB_CLIENT,
      oidc_scopes: LOCAL_OIDC_SCOPES,
      oidc_role_claim: LOCAL_OIDC_ROLE_CLAIM,
      oidc_role_mapping: { ...LOCAL_OIDC_ROLE_MAPPING },
      oidc_folders_claim: LOCAL_OIDC_FOLDERS_CLAIM,
      oidc_audience: provider.audience,
      ...(extra.localLoginEnabled !== undefined ? { local_login_enabled: extra.localLoginEnabled } : {}),
    },
    externalSecrets: { oidc_client_secret_arn: { name: 'media-store-oidc-client', value: provider.clients[LOCAL_OIDC_WEB_CLIENT] ?? '' } },
  };
}

/**
 * Writes the run's client ids and secrets to `file`, readable by its owner only, for whoever
 * needs one (a CI job's client credentials, a debugging session): `npm start -- --oidc` prints
 * this path, never the secrets (a terminal's scrollback and CI logs keep what is printed).
 */
export function writeLocalOidcClients(file: string, provider: Pick<LocalOidcProvider, 'issuer' | 'audience' | 'clients'>): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const body = { issuer: provider.issuer, tokenEndpoint: `${provider.issuer}/token`, audience: provider.audience, clients: provider.clients };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  // An older file of another run keeps its mode through writeFileSync: set it anyway.
  chmodSync(file, 0o600);
}
