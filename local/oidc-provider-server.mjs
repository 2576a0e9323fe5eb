/**
 * A real OpenID provider for the local stack and the tests: panva's `oidc-provider`
 * (OpenID-certified), run as its own Node process because it ships ES modules only. Started by
 * local/oidc.ts (`npm start -- --oidc`, the OIDC tests), never deployed.
 *
 * Configuration comes as one JSON document in MEDIA_STORE_OIDC_CONFIG (see local/oidc.ts
 * `LocalOidcConfig`): port, test users, clients, the API's audience. When listening it prints
 * one line, `ready <issuer>`, on stdout.
 *
 * - Its own sign-in page (`/interaction/:uid`): a username and a password checked against the
 *   test users (the library's development pages take any password); consent is implied, as for
 *   an organisation's first-party app.
 * - Authorization code with PKCE (required), device authorization, client credentials with
 *   JWT access tokens for a resource (RFC 8707 `resource`, the API's audience or the other
 *   audience of the tests), RP-initiated logout.
 * - `POST /_local/rotate-keys` (with the control token of the config as a bearer token) signs
 *   with a new key from then on and keeps the old one in the JWKS: a key rotation.
 */
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.env.MEDIA_STORE_OIDC_CONFIG ?? '{}');
const host = config.host ?? '127.0.0.1';
const controlToken = Buffer.from(String(config.controlToken ?? ''), 'utf8');
if (controlToken.length < 16) throw new Error('MEDIA_STORE_OIDC_CONFIG.controlToken must have at least 16 characters');

const newKey = () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('base64url'), alg: 'RS256', use: 'sig' };
};
/** Newest first: the provider signs with the first. */
const keys = [newKey()];
const cookieKeys = [randomBytes(32).toString('base64url')];

/** `users`: { name: { password, claims } }. */
const users = config.users ?? {};
const resources = config.resources ?? {};

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function configuration() {
  return {
    clients: config.clients ?? [],
    // The resource servers' scopes, besides those the claims below declare.
    scopes: ['openid', 'offline_access', ...new Set(Object.values(resources).flatMap((r) => r.scope.split(' ')))],
    jwks: { keys },
    cookies: { keys: cookieKeys },
    findAccount: async (_ctx, sub) => {
      const user = users[sub];
      if (user === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      media_folders: ['media_folders'],
    },
    // The ID token carries the claims its scopes ask for (the service reads the role from it).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource, client) => {
          const server = resources[resource];
          if (server === undefined) throw new errors.InvalidTarget();
          const ttl = config.accessTokenTtlSeconds?.[client.clientId] ?? 600;
          return { scope: server.scope, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, DeviceCode: 600, Grant: 600, Interaction: 600, Session: 3600 },
  };
}

let issuer = '';
let provider;
const makeProvider = () => {
  const next = new Provider(issuer, configuration());
  next.on('server_error', (_ctx, error) => console.error(`[oidc] server error: ${error.stack ?? error.message}`));
  return next;
};

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, message, login = '') {
  return page(
    'Sign in to the test provider',
    `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<p><label>Username <input name="login" required autofocus value="${escape(login)}"></label></p>
<p><label>Password <input name="password" type="password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>
<p><a href="/interaction/${escape(uid)}/abort">Cancel</a></p>`,
  );
}

/** Consent is implied (a first-party app of the organisation): grant what was asked. */
async function grantAll(req, res, details) {
  const { prompt, grantId, session, params } = details;
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, url) {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(url.pathname);
  if (!match) return false;
  res.setHeader('cache-control', 'no-store');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1]) throw new Error('interaction mismatch');
  if (match[2] === '/abort') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    return true;
  }
  if (match[2] === '/login' && req.method === 'POST') {
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const password = Buffer.from(form.get('password') ?? '', 'utf8');
    const user = Object.hasOwn(users, login) ? users[login] : undefined;
    const expected = Buffer.from(user?.password ?? '', 'utf8');
    const valid = user !== undefined && expected.length === password.length && timingSafeEqual(expected, password);
    if (!valid) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(details.uid, 'Wrong username or password', login));
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return true;
  }
  if (details.prompt.name === 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(details.uid, ''));
    return true;
  }
  if (details.prompt.name === 'consent') {
    await grantAll(req, res, details);
    return true;
  }
  res.writeHead(501);
  res.end();
  return true;
}

function control(req, res, url) {
  if (url.pathname !== '/_local/rotate-keys') return false;
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''), 'utf8');
  if (req.method !== 'POST' || given.length !== controlToken.length || !timingSafeEqual(given, controlToken)) {
    res.writeHead(403);
    res.end();
    return true;
  }
  keys.unshift(newKey());
  provider = makeProvider();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kid: keys[0].kid, keys: keys.length }));
  return true;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  Promise.resolve()
    .then(async () => control(req, res, url) || (await interaction(req, res, url)) || provider.callback()(req, res))
    .catch((error) => {
      console.error(`[oidc] ${req.method} ${url.pathname} failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
});
server.listen(config.port ?? 0, host, () => {
  const { port } = server.address();
  issuer = `http://${host}:${port}`;
  provider = makeProvider();
  console.log(`ready ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds stdin open: when it goes (even killed), so does the provider.
process.stdin.on('end', stop);
process.stdin.resume();
