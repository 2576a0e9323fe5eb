/**
 * The viewer's touch gestures, on pointer events (no library: this and the viewer fit in the
 * initial bundle): swipe left/right to the next/previous item, swipe down to close, pinch and
 * double-tap to zoom, one finger pans while zoomed. The picture follows the finger by a CSS
 * transform written straight to the element (no re-render per move); the decisions are pure
 * functions below, unit-tested.
 */

/** Where the picture stands: its zoom and its offset from the centre, px. */
interface View {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export const IDENTITY: View = { scale: 1, x: 0, y: 0 };
export const MAX_SCALE = 4;
const DOUBLE_TAP_SCALE = 2.5;
/** A finger moving less than this, px, is a tap. */
const TAP_SLOP = 10;
const DOUBLE_TAP_MS = 300;

type SwipeOutcome = 'next' | 'previous' | 'close' | 'stay';

/**
 * What a one-finger drag at scale 1 does when the finger lifts: a fifth of the width sideways
 * (or a quick flick, 0.5 px/ms, past 30 px) moves to the neighbour in that direction when there
 * is one, a downward drag of 100 px (or a flick) closes; anything else springs back.
 */
export function swipeOutcome(dx: number, dy: number, width: number, velocityX: number, velocityY: number, has: { readonly next: boolean; readonly previous: boolean }): SwipeOutcome {
  const sideways = Math.abs(dx) > Math.abs(dy);
  if (sideways) {
    const far = Math.abs(dx) > Math.min(120, width / 5) || (Math.abs(dx) > 30 && Math.abs(velocityX) > 0.5);
    if (!far) return 'stay';
    if (dx < 0 && has.next) return 'next';
    if (dx > 0 && has.previous) return 'previous';
    return 'stay';
  }
  return dy > 100 || (dy > 30 && velocityY > 0.5) ? 'close' : 'stay';
}

/** `view` zoomed to `scale` (within 1..MAX_SCALE) keeping the point (cx, cy) — relative to the stage's centre — where it is. */
export function zoomAbout(view: View, scale: number, cx: number, cy: number): View {
  const next = Math.min(MAX_SCALE, Math.max(1, scale));
  if (next === 1) return IDENTITY;
  const k = next / view.scale;
  return { scale: next, x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k };
}

/** The offset kept within what the zoomed picture covers (never panned past its edge into empty stage). */
export function clampPan(view: View, width: number, height: number): View {
  const maxX = ((view.scale - 1) * width) / 2;
  const maxY = ((view.scale - 1) * height) / 2;
  return { scale: view.scale, x: Math.max(-maxX, Math.min(maxX, view.x)), y: Math.max(-maxY, Math.min(maxY, view.y)) };
}

interface GestureHandlers {
  readonly next: () => void;
  readonly previous: () => void;
  readonly close: () => void;
  readonly has: () => { readonly next: boolean; readonly previous: boolean };
}

interface Point { x: number; y: number }

/**
 * Listens on `stage` and moves `picture()` (the element transformed). Returns a function that
 * stops listening and a `reset` for a new item.
 */
export function attachGestures(stage: HTMLElement, picture: () => HTMLElement | null, handlers: GestureHandlers): { readonly detach: () => void; readonly reset: () => void } {
  const pointers = new Map<number, Point>();
  let view = IDENTITY;
  let drag: { start: Point; last: Point; lastAt: number; vx: number; vy: number; startView: View; axis?: 'x' | 'y' | 'pan'; moved: boolean } | undefined;
  let pinch: { distance: number; startView: View; mid: Point } | undefined;
  let lastTap: { at: number; point: Point } | undefined;

  const centre = (p: Point): Point => {
    const box = stage.getBoundingClientRect();
    return { x: p.x - box.left - box.width / 2, y: p.y - box.top - box.height / 2 };
  };
  const apply = (v: View, extra: Point = { x: 0, y: 0 }, animate = false): void => {
    const element = picture();
    if (!element) return;
    element.classList.toggle('settling', animate);
    element.style.transform = v === IDENTITY && extra.x === 0 && extra.y === 0 ? '' : `translate(${v.x + extra.x}px, ${v.y + extra.y}px) scale(${v.scale})`;
    const fade = view.scale === 1 && extra.y > 0 ? Math.max(0.4, 1 - extra.y / 400) : 1;
    stage.style.opacity = fade === 1 ? '' : String(fade);
  };
  const pair = (): [Point, Point] => [...pointers.values()] as [Point, Point];
  const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

  const onDown = (e: PointerEvent): void => {
    // The video's own controls keep their pointer; a mouse's drags stay with the page (buttons, selection).
    if (e.pointerType === 'mouse' || (e.target as Element).closest?.('video, button')) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    stage.setPointerCapture?.(e.pointerId);
    if (pointers.size === 1) {
      const p = { x: e.clientX, y: e.clientY };
      drag = { start: p, last: p, lastAt: e.timeStamp, vx: 0, vy: 0, startView: view, moved: false, ...(view.scale > 1 ? { axis: 'pan' as const } : {}) };
    } else if (pointers.size === 2) {
      const [a, b] = pair();
      drag = undefined;
      pinch = { distance: distance(a, b), startView: view, mid: centre({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }) };
    }
  };
  const onMove = (e: PointerEvent): void => {
    if (!pointers.has(e.pointerId)) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    e.preventDefault();
    const box = stage.getBoundingClientRect();
    if (pinch && pointers.size >= 2) {
      const [a, b] = pair();
      view = clampPan(zoomAbout(pinch.startView, pinch.startView.scale * (distance(a, b) / Math.max(1, pinch.distance)), pinch.mid.x, pinch.mid.y), box.width, box.height);
      apply(view);
      return;
    }
    if (!drag) return;
    const dx = e.clientX - drag.start.x;
    const dy = e.clientY - drag.start.y;
    const dt = Math.max(1, e.timeStamp - drag.lastAt);
    drag.vx = (e.clientX - drag.last.x) / dt;
    drag.vy = (e.clientY - drag.last.y) / dt;
    drag.last = { x: e.clientX, y: e.clientY };
    drag.lastAt = e.timeStamp;
    if (!drag.moved && Math.hypot(dx, dy) < TAP_SLOP) return;
    drag.moved = true;
    drag.axis ??= Math.abs(dx) > Math.abs(dy) ? 'x' : 'y';
    if (drag.axis === 'pan') {
      view = clampPan({ scale: view.scale, x: drag.startView.x + dx, y: drag.startView.y + dy }, box.width, box.height);
      apply(view);
    } else if (drag.axis === 'x') apply(view, { x: dx, y: 0 });
    else apply(view, { x: 0, y: Math.max(0, dy) });
  };
  const onUp = (e: PointerEvent): void => {
    if (!pointers.delete(e.pointerId)) return;
    if (pinch) {
      // The pinch ends with its last finger; the one left does not start a swipe.
      if (pointers.size === 0) pinch = undefined;
      return;
    }
    const ended = drag;
    drag = undefined;
    if (!ended) return;
    if (!ended.moved) {
      const p = { x: e.clientX, y: e.clientY };
      if (lastTap && e.timeStamp - lastTap.at < DOUBLE_TAP_MS && distance(lastTap.point, p) < 30) {
        lastTap = undefined;
        const c = centre(p);
        view = view.scale > 1 ? IDENTITY : clampPan(zoomAbout(view, DOUBLE_TAP_SCALE, c.x, c.y), stage.clientWidth, stage.clientHeight);
        apply(view, undefined, true);
      } else lastTap = { at: e.timeStamp, point: p };
      return;
    }
    if (ended.axis === 'pan') return;
    const outcome = swipeOutcome(ended.last.x - ended.start.x, ended.last.y - ended.start.y, stage.clientWidth, ended.vx, ended.vy, handlers.has());
    apply(view, undefined, true);
    if (outcome === 'next') handlers.next();
    else if (outcome === 'previous') handlers.previous();
    else if (outcome === 'close') handlers.close();
  };
  const onCancel = (e: PointerEvent): void => {
    pointers.delete(e.pointerId);
    drag = undefined;
    if (pointers.size === 0) pinch = undefined;
    apply(view, undefined, true);
  };

  stage.addEventListener('pointerdown', onDown);
  stage.addEventListener('pointermove', onMove);
  stage.addEventListener('pointerup', onUp);
  stage.addEventListener('pointercancel', onCancel);
  return {
    detach: () => {
      stage.removeEventListener('pointerdown', onDown);
      stage.removeEventListener('pointermove', onMove);
      stage.removeEventListener('pointerup', onUp);
      stage.removeEventListener('pointercancel', onCancel);
    },
    reset: () => {
      view = IDENTITY;
      pointers.clear();
      drag = undefined;
      pinch = undefined;
      apply(view);
    },
  };
}

