/** What the component tests share: the API's JSON answers and the drag events of a real browser. */
import { createEvent, fireEvent } from '@testing-library/preact';

/** A JSON answer as the API gives it (`fetch` is stubbed with these). */
export function answer(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** What a browser's DataTransfer does for a drag inside the page: types set on dragstart, readable on dragover. */
export function dataTransfer(): DataTransfer {
  const data = new Map<string, string>();
  return {
    setData: (type: string, value: string) => void data.set(type, value),
    getData: (type: string) => data.get(type) ?? '',
    get types() {
      return [...data.keys()];
    },
    effectAllowed: 'all',
    dropEffect: 'none',
  } as unknown as DataTransfer;
}

/** Fires a drag event carrying `transfer` (set on the event itself: Testing Library would copy it into an empty one). */
export function drag(type: 'dragStart' | 'dragEnter' | 'dragOver' | 'dragLeave' | 'drop', element: Element, transfer: DataTransfer): void {
  const event = createEvent[type](element);
  Object.defineProperty(event, 'dataTransfer', { value: transfer });
  fireEvent(element, event);
}
