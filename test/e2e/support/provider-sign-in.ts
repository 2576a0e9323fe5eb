/**
 * A person signing in through the local OpenID provider, over plain HTTP: the service's start
 * route, the provider's own sign-in page (its form posted as a browser would), its redirects
 * back to the service's callback. Cookies are kept per origin as a browser keeps them.
 */
interface ProviderSignIn {
  /** The callback's answer: a 302 to the app with the session cookie, or a page saying why not. */
  readonly status: number;
  readonly location?: string;
  readonly body: string;
  /** The service's refresh token (its session cookie), when signed in. */
  readonly refreshCookie?: string;
}

class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  header(url: string): Record<string, string> {
    const cookies = this.byOrigin.get(new URL(url).origin);
    return cookies && cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const cookies = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.byOrigin.set(origin, cookies);
  }

  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin)?.get(name);
  }
}

/** Follows redirects by hand (keeping cookies) until a response that is not a redirect, or one to `stopAt`. */
async function follow(jar: CookieJar, url: string, init: RequestInit, stopAt: string): Promise<{ url: string; response: Response }> {
  let current = url;
  let request: RequestInit = init;
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await fetch(current, { ...request, redirect: 'manual', headers: { ...(request.headers as Record<string, string>), ...jar.header(current) } });
    jar.store(current, response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return { url: current, response };
    const next = new URL(location, current).toString();
    if (next.startsWith(stopAt)) return { url: next, response };
    current = next;
    request = {};
  }
  throw new Error(`too many redirects from ${url}`);
}

/**
 * Signs `username` in through the provider from the app at `appOrigin` (the stack's origin, the
 * API under `/api`). `tamper` changes the callback URL before it is followed (a forged state).
 */
export async function signInThroughProvider(
  appOrigin: string,
  username: string,
  password: string,
  options: { readonly tamper?: (callback: URL) => void; readonly dropStateCookie?: boolean } = {},
): Promise<ProviderSignIn> {
  const jar = new CookieJar();
  const start = `${appOrigin}/api/auth/oidc/start?origin=${encodeURIComponent(appOrigin)}`;
  const callbackPrefix = `${appOrigin}/api/auth/oidc/callback`;
  // To the provider's sign-in page.
  const page = await follow(jar, start, {}, callbackPrefix);
  const html = await page.response.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (page.response.status !== 200 || action === undefined) throw new Error(`no sign-in form at ${page.url} (${page.response.status}): ${html.slice(0, 300)}`);
  // The form, as a browser posts it; then the provider's redirects up to the service's callback.
  const submitted = await follow(
    jar,
    new URL(action, page.url).toString(),
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: username, password }).toString() },
    callbackPrefix,
  );
  if (!submitted.url.startsWith(callbackPrefix)) {
    return { status: submitted.response.status, body: await submitted.response.text() };
  }
  const callback = new URL(submitted.url);
  options.tamper?.(callback);
  const headers = options.dropStateCookie === true ? {} : jar.header(callback.toString());
  const answer = await fetch(callback, { redirect: 'manual', headers });
  jar.store(callback.toString(), answer);
  const refreshCookie = jar.get(appOrigin, '__Secure-media-store-refresh');
  return {
    status: answer.status,
    ...(answer.headers.get('location') !== null ? { location: answer.headers.get('location') as string } : {}),
    body: await answer.text(),
    ...(refreshCookie !== undefined ? { refreshCookie } : {}),
  };
}

/** The access token and user the app gets from its session cookie (`POST /api/auth/refresh`). */
export async function sessionOf(appOrigin: string, refreshCookie: string): Promise<{ status: number; token?: string; user?: { username: string; role: string; folders: string[] | null } }> {
  const response = await fetch(`${appOrigin}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `__Secure-media-store-refresh=${refreshCookie}` },
    body: '{}',
  });
  const body = (await response.json()) as { token?: string; user?: { username: string; role: string; folders: string[] | null } };
  return { status: response.status, ...body };
}

/** The hidden fields and action of the first form of a page (the provider's own pages). */
function formOf(html: string, pageUrl: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (form === null) throw new Error(`no form at ${pageUrl}: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined && /type="hidden"/.test(input[0])) fields[name] = value ?? '';
  }
  return { action: new URL(form[1] ?? '', pageUrl).toString(), fields };
}

/**
 * A person approving a device sign-in (the CLI's `login --sso`) at the provider, as a browser
 * does it: the verification URL with the code in it (the provider's page posts itself), the
 * confirmation that the code is the one the device shows, then the provider's sign-in page.
 * Returns the provider's last page.
 */
export async function approveDevice(verificationUriComplete: string, username: string, password: string): Promise<{ status: number; body: string }> {
  const jar = new CookieJar();
  const never = 'never://';
  const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  let page = await follow(jar, verificationUriComplete, {}, never);
  for (let step = 0; step < 5; step += 1) {
    const html = await page.response.text();
    if (!/<form/.test(html)) return { status: page.response.status, body: html };
    const { action, fields } = formOf(html, page.url);
    // The sign-in form takes the person's credentials; the others (the self-posting code form, the
    // confirmation with confirm=yes) are sent as they are.
    const signIn = /name="password"/.test(html);
    page = await follow(jar, action, form(signIn ? { login: username, password } : fields), never);
    if (signIn) return { status: page.response.status, body: await page.response.text() };
  }
  throw new Error(`no sign-in form after ${verificationUriComplete}`);
}
