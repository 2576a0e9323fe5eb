/** The viewer's gesture decisions (web/src/components/gestures.ts). */
import { describe, expect, it } from 'vitest';
import { clampPan, IDENTITY, MAX_SCALE, swipeOutcome, zoomAbout } from '../src/components/gestures';

const both = { next: true, previous: true };

describe('a swipe', () => {
  it('moves to the next item leftwards and the previous rightwards once past a fifth of the width', () => {
    expect(swipeOutcome(-100, 5, 390, 0, 0, both)).toBe('next');
    expect(swipeOutcome(100, -5, 390, 0, 0, both)).toBe('previous');
    expect(swipeOutcome(-60, 0, 390, 0.1, 0, both)).toBe('stay');
  });

  it('takes a short quick flick too, and stays at the ends of the list', () => {
    expect(swipeOutcome(-40, 0, 390, -0.9, 0, both)).toBe('next');
    expect(swipeOutcome(-200, 0, 390, 0, 0, { next: false, previous: true })).toBe('stay');
    expect(swipeOutcome(200, 0, 390, 0, 0, { next: true, previous: false })).toBe('stay');
  });

  it('closes the viewer downwards, not upwards', () => {
    expect(swipeOutcome(10, 150, 390, 0, 0, both)).toBe('close');
    expect(swipeOutcome(10, -150, 390, 0, 0, both)).toBe('stay');
    expect(swipeOutcome(0, 40, 390, 0, 0.8, both)).toBe('close');
  });
});

describe('zoom', () => {
  it('keeps the pinched point where it is and stays between 1 and the maximum', () => {
    const zoomed = zoomAbout(IDENTITY, 2, 50, 20);
    expect(zoomed).toEqual({ scale: 2, x: -50, y: -20 });
    expect(zoomAbout(zoomed, 10, 0, 0).scale).toBe(MAX_SCALE);
    expect(zoomAbout(zoomed, 0.5, 0, 0)).toEqual(IDENTITY);
  });

  it('never pans the zoomed picture past its edge', () => {
    expect(clampPan({ scale: 2, x: 900, y: -900 }, 400, 600)).toEqual({ scale: 2, x: 200, y: -300 });
  });
});
