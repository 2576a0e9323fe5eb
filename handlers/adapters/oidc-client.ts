/**
 * The auth function's client of the organisation's identity provider (`oauth4webapi`):
 * discovery, the authorization URL (code flow with PKCE, state and nonce), the code exchange with
 * the client secret, and the ID token checked twice: by oauth4webapi (issuer, audience, expiry,
 * nonce) and its signature against the provider's keys (`jose`, the JWKS of provider-keys.ts).
 * The client secret is read from Secrets Manager (`OIDC_CLIENT_SECRET_ARN`), never from the
 * environment, and kept for 5 minutes.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as oauth from 'oauth4webapi';
import { discover, providerKeys } from './provider-keys';
import { PROVIDER_ALGORITHMS } from '../authorizer/provider-tokens';
import type { DeviceSignIn } from '../../contract/wire';

export interface OidcClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Secrets Manager ARN of the client's secret; "" for a public client (PKCE only, e.g. the module's Cognito pool). */
  readonly clientSecretArn: string;
  readonly scopes: readonly string[];
}

/** What a sign-in keeps between the redirect to the provider and its return. */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface ProviderClient {
  /** A new sign-in: where to send the browser, and what to keep until it returns. */
  startSignIn(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }>;
  /** The verified ID token claims of the browser's return (`callbackUrl` with code, state, iss). */
  finishSignIn(callbackUrl: URL, pending: PendingSignIn): Promise<Record<string, unknown>>;
  /** The provider's end-session URL, when it has one. */
  endSessionUrl(): Promise<string | undefined>;
  /** A device authorization (the CLI's sign-in): the code to show, where, and the device code to poll with. */
  startDevice(): Promise<DeviceSignIn>;
  /** The verified ID token claims once the person approved; `pending`/`slow-down` until then; `denied`/`expired` at the end. */
  pollDevice(deviceCode: string): Promise<DevicePoll>;
}

type DevicePoll =
  | { readonly status: 'approved'; readonly claims: Record<string, unknown> }
  | { readonly status: 'pending' | 'slow-down' | 'denied' | 'expired' };

const SECRET_MAX_AGE_MS = 5 * 60_000;

/** Plain HTTP only for a provider on this machine (the local stack's). */
const isLoopback = (issuer: string): boolean => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(issuer);

export function providerClient(settings: OidcClientSettings, options: { readonly secrets?: SecretsManagerClient; readonly keys?: JWTVerifyGetKey } = {}): ProviderClient {
  const insecure = isLoopback(settings.issuer) ? { [oauth.allowInsecureRequests]: true } : {};
  const client: oauth.Client = { client_id: settings.clientId };
  const keys = options.keys ?? providerKeys(settings.issuer);
  let server: Promise<oauth.AuthorizationServer> | undefined;
  let secret: { value: Promise<string>; until: number } | undefined;
  let secrets = options.secrets;

  const authorizationServer = (): Promise<oauth.AuthorizationServer> => {
    server ??= (async () => {
      await discover(settings.issuer);
      const issuer = new URL(settings.issuer);
      return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    })().catch((error: unknown) => {
      server = undefined;
      throw error;
    });
    return server;
  };
  const clientSecret = (): Promise<string> => {
    if (secret === undefined || Date.now() >= secret.until) {
      secrets ??= new SecretsManagerClient({});
      const value = secrets.send(new GetSecretValueCommand({ SecretId: settings.clientSecretArn })).then((out) => {
        if (!out.SecretString) throw new Error('the identity provider\'s client secret has no value');
        return out.SecretString;
      });
      secret = { value, until: Date.now() + SECRET_MAX_AGE_MS };
      value.catch(() => {
        secret = undefined;
      });
    }
    return secret.value;
  };

  /** How the client authenticates at the token endpoint: its secret, or none for a public client. */
  const clientAuth = async (): Promise<oauth.ClientAuth> => (settings.clientSecretArn === '' ? oauth.None() : oauth.ClientSecretBasic(await clientSecret()));

  return {
    async startSignIn(redirectUri) {
      const as = await authorizationServer();
      if (as.authorization_endpoint === undefined) throw new Error('the provider has no authorization endpoint');
      const pending: PendingSignIn = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier: oauth.generateRandomCodeVerifier(), redirectUri };
      const url = new URL(as.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: settings.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      }).toString();
      return { url: url.toString(), pending };
    },
    async finishSignIn(callbackUrl, pending) {
      const as = await authorizationServer();
      const parameters = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, await clientAuth(), parameters, pending.redirectUri, pending.codeVerifier, insecure);
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
      if (result.id_token === undefined) throw new Error('the provider answered without an ID token');
      // The signature too, against the provider's published keys.
      const { payload } = await jwtVerify(result.id_token, keys, { issuer: settings.issuer, audience: settings.clientId, algorithms: PROVIDER_ALGORITHMS, clockTolerance: 5 });
      if (payload.nonce !== pending.nonce) throw new Error('the ID token\'s nonce is not this sign-in\'s');
      return payload as Record<string, unknown>;
    },
    async startDevice() {
      const as = await authorizationServer();
      const response = await oauth.deviceAuthorizationRequest(as, client, await clientAuth(), { scope: settings.scopes.join(' ') }, insecure);
      const device = await oauth.processDeviceAuthorizationResponse(as, client, response);
      return {
        deviceCode: device.device_code,
        userCode: device.user_code,
        verificationUri: device.verification_uri,
        ...(device.verification_uri_complete !== undefined ? { verificationUriComplete: device.verification_uri_complete } : {}),
        expiresIn: device.expires_in,
        interval: device.interval ?? 5,
      };
    },
    async pollDevice(deviceCode) {
      const as = await authorizationServer();
      const response = await oauth.deviceCodeGrantRequest(as, client, await clientAuth(), deviceCode, insecure);
      let result: oauth.TokenEndpointResponse;
      try {
        result = await oauth.processDeviceCodeResponse(as, client, response);
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError) {
          if (error.error === 'authorization_pending') return { status: 'pending' };
          if (error.error === 'slow_down') return { status: 'slow-down' };
          if (error.error === 'access_denied') return { status: 'denied' };
          if (error.error === 'expired_token' || error.error === 'invalid_grant') return { status: 'expired' };
        }
        throw error;
      }
      if (result.id_token === undefined) throw new Error('the provider answered without an ID token');
      const { payload } = await jwtVerify(result.id_token, keys, { issuer: settings.issuer, audience: settings.clientId, algorithms: PROVIDER_ALGORITHMS, clockTolerance: 5 });
      return { status: 'approved', claims: payload as Record<string, unknown> };
    },
    async endSessionUrl() {
      const as = await authorizationServer();
      return as.end_session_endpoint;
    },
  };
}
