/**
 * A drop link's guest in this browser: a random key sent as `X-Share-Guest`, the only thing
 * that lets the API show a guest their own uploads in progress and resume them.
 *
 * Kept in localStorage, one entry per link, named by a digest of the link's token:
 * - It must outlive a reload, a closed tab and a browser restart as long as the resume records
 *   in IndexedDB do; sessionStorage ends with the tab, and a new tab on the same link would
 *   find its saved uploads but no longer be allowed to resume them.
 * - A cookie would travel with every request to the API, where only this header is read.
 * - It grants no more than the link itself does (upload into its folder, within its quota),
 *   plus the guest's own unfinished uploads; the link's token is not what names the entry,
 *   so the storage does not hold the link.
 * The page creates the key before its first upload (rather than taking the one the API hands
 * back), so files started at once share one identity.
 */

const PREFIX = 'media-store.drop-guest.';
/** The API's guest keys: 24 random bytes, base64url (handlers/core/shares.ts). */
const KEY_BYTES = 24;
const KEY_PATTERN = /^[A-Za-z0-9_-]{32}$/;

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A link's name in this browser's storage: the first 128 bits of its token's SHA-256. */
export async function linkDigest(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return base64url(digest.subarray(0, 16));
}

const newGuestKey = (): string => base64url(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));

/** Storage may be refused (private modes, policies): the key then lasts as long as the page. */
function storageOf(storage: Storage | undefined): Storage | undefined {
  try {
    return storage ?? globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** This browser's key for the link named `digest`, created on first use. */
export function guestKeyFor(digest: string, storage?: Storage): string {
  const store = storageOf(storage);
  try {
    const known = store?.getItem(PREFIX + digest);
    if (known && KEY_PATTERN.test(known)) return known;
  } catch {
    // Unreadable storage: a fresh key below.
  }
  const key = newGuestKey();
  rememberGuestKey(digest, key, store);
  return key;
}

export function rememberGuestKey(digest: string, key: string, storage?: Storage): void {
  try {
    storageOf(storage)?.setItem(PREFIX + digest, key);
  } catch {
    // Full or refused storage: the key still works for this page.
  }
}
