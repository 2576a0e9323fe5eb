import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { VideoPlayer } from '../src/components/Lightbox';

const clip = { id: 'v1', name: 'phone.mp4', url: 'https://s3/phone.mp4', contentType: 'video/mp4', width: 240, height: 320 };

describe('VideoPlayer', () => {
  it('believes the processing over the container: an MP4 it marked not playable gets the message, its poster and the download', () => {
    // Prepare
    const download = vi.fn();
    // Act
    render(<VideoPlayer file={{ ...clip, browserPlayable: false, posterUrl: 'https://s3/poster.webp' }} onDownload={download} />);
    // Assess
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('This browser cannot play phone.mp4 (video/mp4: a video codec browsers do not play, such as HEVC).');
    expect(status.querySelector('img')?.getAttribute('src')).toBe('https://s3/poster.webp');
    expect(document.querySelector('video')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Download to play it' }));
    expect(download).toHaveBeenCalledTimes(1);
  });

  it('plays an MP4 the processing marked playable', () => {
    render(<VideoPlayer file={{ ...clip, browserPlayable: true }} />);

    expect(screen.queryByRole('status')).toBeNull();
    expect(document.querySelector('video')?.getAttribute('src')).toBe(clip.url);
  });
});
