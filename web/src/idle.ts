/**
 * Work that can wait for an idle moment of the main thread (at most `timeoutMs`), so it runs
 * as a task of its own instead of lengthening the one that paints what the user waits for.
 * Returns a function that cancels it.
 */
export function whenIdle(work: () => void, timeoutMs = 1000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(() => work(), { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(work, 1);
  return () => clearTimeout(id);
}

/** `whenIdle` once the page has loaded (its images included): for work no first view needs. */
export function afterLoad(work: () => void, timeoutMs = 3000): void {
  const start = (): void => void whenIdle(work, timeoutMs);
  if (document.readyState === 'complete') start();
  else addEventListener('load', start, { once: true });
}
