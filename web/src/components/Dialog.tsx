/**
 * A modal dialog on the native <dialog> element: focus trapped, Esc closes, labelled by its
 * title. An error raised while it is open (a refused rename, a folder outside one's limits) is
 * shown inside it: the page's notice bar is behind the modal, inert, neither seen well nor dismissable.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { store, useStore } from '../store';

export interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ComponentChildren;
  readonly class?: string;
}

export function Dialog({ title, onClose, children, class: className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const notice = useStore((s) => s.notice);
  const shownBefore = useRef(store.get().notice);
  const error = notice?.kind === 'error' && notice !== shownBefore.current ? notice : undefined;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
  }, []);
  return (
    <dialog ref={ref} class={className ?? 'dialog'} aria-label={title} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2>{title}</h2>
      {error && <p class="error" role="alert">{error.text}</p>}
      {children}
    </dialog>
  );
}
