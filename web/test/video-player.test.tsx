import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { FileItem, VideoPlayback } from '../../contract/wire';
import { canPlayOriginal, VideoPlayer, videoView } from '../src/components/Lightbox';

const HEVC: VideoPlayback = { container: 'mov', videoCodec: 'hevc', audioCodec: 'aac', bitDepth: 8, action: 'transcode', playable: 'none', copy: { state: 'pending' } };
const movie = (video: VideoPlayback | undefined): FileItem => ({
  id: 'id-clip', folder: '/trips', name: 'iphone.mov', size: 2048, contentType: 'video/quicktime', fileType: 'video', uploadedAt: '2026-01-01T00:00:00Z',
  uploadedBy: 'ann', tags: [], url: 'https://s3/original', urlExpiresAt: '2026-01-02T00:00:00Z', posterUrl: 'https://s3/poster', ...(video ? { video } : {}),
});
const ready: VideoPlayback = { ...HEVC, playable: 'copy', copy: { state: 'ready', bytes: 1000, width: 180, height: 320 }, copyUrl: 'https://s3/copy' };

describe('video player', () => {
  describe('videoView', () => {
    it('plays the copy by default once it exists, offering the original only where it plays', () => {
      expect(videoView(movie(ready), undefined, false)).toEqual({ kind: 'play', src: 'https://s3/copy', which: 'copy' });
      expect(videoView(movie(ready), undefined, true)).toEqual({ kind: 'play', src: 'https://s3/copy', which: 'copy', other: 'original' });
      expect(videoView(movie(ready), 'original', true)).toEqual({ kind: 'play', src: 'https://s3/original', which: 'original', other: 'copy' });
      expect(videoView(movie(ready), 'original', false)).toMatchObject({ which: 'copy' });
    });

    it('says the copy is being made while it is, playing the original meanwhile where it plays', () => {
      expect(videoView(movie(HEVC), undefined, false)).toEqual({ kind: 'making' });
      expect(videoView(movie(HEVC), undefined, true)).toEqual({ kind: 'play', src: 'https://s3/original', which: 'original', making: true });
    });

    it('says processing is still reading a video it has not probed, never "cannot play"', () => {
      expect(videoView({ ...movie(undefined), processing: 'pending' }, undefined, false)).toEqual({ kind: 'processing' });
      expect(videoView({ ...movie(undefined), processing: 'pending' }, undefined, true)).toMatchObject({ kind: 'play', which: 'original' });
    });

    it('says a video processing could not read is unreadable, with its reason, rather than blaming the browser', () => {
      expect(videoView({ ...movie(undefined), processing: 'failed', processingReason: 'not a supported video container' }, undefined, false)).toEqual({ kind: 'unreadable', reason: 'not a supported video container' });
    });

    it('cannot play only without a copy, with the copy\'s failure reason', () => {
      expect(videoView(movie({ ...HEVC, copy: { state: 'failed', reason: 'video could not be converted' } }), undefined, false)).toEqual({ kind: 'cannot-play', reason: 'video could not be converted' });
      expect(videoView({ ...movie(undefined), url: undefined }, undefined, true)).toEqual({ kind: 'cannot-play' });
    });
  });

  describe('canPlayOriginal', () => {
    it('asks the browser with the probed codec (Safari plays HEVC, Chromium does not)', () => {
      const asked: string[] = [];
      const safari = (type: string): string => { asked.push(type); return type.includes('hvc1') ? 'probably' : ''; };
      expect(canPlayOriginal(movie(HEVC), safari)).toBe(true);
      expect(asked).toEqual(['video/mp4; codecs="hvc1.1.6.L123.B0"']);
      expect(canPlayOriginal(movie(HEVC), () => '')).toBe(false);
      expect(canPlayOriginal(movie({ ...HEVC, container: 'avi', videoCodec: 'mpeg4' }), () => 'probably')).toBe(false);
    });

    it('takes a video that plays as stored at its word', () => {
      expect(canPlayOriginal(movie({ container: 'webm', videoCodec: 'vp9', action: 'none', playable: 'original' }), () => '')).toBe(true);
    });
  });

  describe('VideoPlayer', () => {
    it('plays the copy, and does not offer an original this browser cannot play', () => {
      const { container } = render(<VideoPlayer file={{ ...movie(ready), video: ready }} />);
      const video = (): HTMLVideoElement => container.querySelector('video') as HTMLVideoElement;
      expect(video().getAttribute('src')).toBe('https://s3/copy');
      // jsdom's canPlayType answers '': the original (HEVC) is not offered.
      expect(screen.queryByRole('button', { name: 'Original' })).toBeNull();
      expect(container.textContent).not.toMatch(/cannot play/);
    });

    it('shows "Preparing … for playback" before processing has read the video', () => {
      render(<VideoPlayer file={{ ...movie(undefined), processing: 'pending' }} />);
      expect(screen.getByRole('status').textContent).toBe('Preparing iphone.mov for playback…');
    });

    it('names processing\'s reason for a video it could not read and offers the original', () => {
      const downloads: string[] = [];
      render(<VideoPlayer file={{ ...movie(undefined), processing: 'failed', processingReason: 'video could not be decoded' }} onDownload={() => downloads.push('original')} />);
      expect(screen.getByRole('status').textContent).toBe('iphone.mov could not be read as a video (video could not be decoded). The original is kept as uploaded.Download the original');
      expect(screen.getByRole('status').textContent).not.toMatch(/cannot play/);
      fireEvent.click(screen.getByRole('button', { name: 'Download the original' }));
      expect(downloads).toEqual(['original']);
    });

    it('shows the poster and "Making a playable copy…" while the copy is pending, never "cannot play"', () => {
      render(<VideoPlayer file={movie(HEVC)} />);
      expect(screen.getByRole('status').textContent).toBe('Making a playable copy of iphone.mov…');
    });

    it('offers the original beside the copy when the browser plays it', () => {
      const original = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = () => 'probably';
      try {
        const { container } = render(<VideoPlayer file={movie(ready)} />);
        fireEvent.click(screen.getByRole('button', { name: 'Original' }));
        expect(container.querySelector('video')?.getAttribute('src')).toBe('https://s3/original');
        fireEvent.click(screen.getByRole('button', { name: 'Playable copy' }));
        expect(container.querySelector('video')?.getAttribute('src')).toBe('https://s3/copy');
      } finally {
        HTMLMediaElement.prototype.canPlayType = original;
      }
    });
  });
});
