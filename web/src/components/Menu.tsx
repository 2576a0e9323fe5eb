/**
 * A menu behind a ⋮ toggle: the top bar's overflow menu and the viewer's more actions on a
 * phone. Esc or a press outside closes it (a phone has no hover to leave it by); while it is
 * open Esc is the menu's alone (taken before the page's own keys, so it does not also close the
 * viewer) and focus goes back to the toggle. A button pressed inside has done its work: the menu
 * closes (a select inside does not close it).
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Menu {
  readonly open: boolean;
  readonly setOpen: (open: boolean) => void;
  /** Spread on the toggle: `<MenuToggle {...menu.toggle} />`. */
  readonly toggle: MenuToggleProps;
  /** Spread on the panel element. */
  readonly panel: { readonly ref: RefObject<HTMLDivElement | null>; readonly onClick: (event: MouseEvent) => void };
}

interface MenuToggleProps {
  readonly ref: RefObject<HTMLButtonElement | null>;
  readonly 'aria-expanded': boolean;
  readonly onClick: () => void;
}

export function useMenu(): Menu {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      setOpen(false);
      toggle.current?.focus();
    };
    const onDown = (e: PointerEvent): void => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !toggle.current?.contains(target)) setOpen(false);
    };
    // Capture: before any other key listener of the page (the viewer's Esc closes the viewer).
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('pointerdown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [open]);
  return {
    open,
    setOpen,
    toggle: { ref: toggle, 'aria-expanded': open, onClick: () => setOpen(!open) },
    panel: { ref: panel, onClick: (e) => void ((e.target as Element).closest('button') && setOpen(false)) },
  };
}

/** The ⋮ button that opens a menu (`class` adds the place's own class; `controls` is the panel's id). */
export function MenuToggle({ label, controls, class: className, ...props }: MenuToggleProps & { readonly label: string; readonly controls: string; readonly class: string }) {
  return (
    <button type="button" class={`icon-button ${className}`} aria-controls={controls} aria-label={label} {...props}>
      <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="5" r="2" fill="currentColor" /><circle cx="12" cy="12" r="2" fill="currentColor" /><circle cx="12" cy="19" r="2" fill="currentColor" /></svg>
    </button>
  );
}
