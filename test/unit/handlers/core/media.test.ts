import {
  cameraText,
  derivedKeyOf,
  derivedPrefixOf,
  displayedSize,
  gpsCoordinate,
  initialProcessing,
  mediaKindOf,
  orientationOf,
  parseProcessRequest,
  parseUtcOffset,
  photoInfo,
  takenAtOf,
  takenSortKey,
  videoInfo,
} from '../../../../handlers/core/media';

describe('media rules', () => {
  describe('takenAtOf', () => {
    it('turns an EXIF date with its UTC offset into the UTC instant and keeps the offset', () => {
      expect(takenAtOf('2024:07:14 18:30:05', '+02:00')).toEqual({ takenAt: '2024-07-14T16:30:05.000Z', takenAtOffset: '+02:00' });
    });

    it('crosses the date line both ways', () => {
      expect(takenAtOf('2024:01:01 01:00:00', '+09:00')).toEqual({ takenAt: '2023-12-31T16:00:00.000Z', takenAtOffset: '+09:00' });
      expect(takenAtOf('2023:12:31 22:00:00', '-05:00')).toEqual({ takenAt: '2024-01-01T03:00:00.000Z', takenAtOffset: '-05:00' });
    });

    it('accepts offsets without a colon, half hours and Z', () => {
      expect(takenAtOf('2024:03:10 12:00:00', '+0530')).toEqual({ takenAt: '2024-03-10T06:30:00.000Z', takenAtOffset: '+05:30' });
      expect(takenAtOf('2024:03:10 12:00:00', 'Z')).toEqual({ takenAt: '2024-03-10T12:00:00.000Z', takenAtOffset: '+00:00' });
    });

    it('keeps the wall-clock time without a zone when the file gives no offset', () => {
      expect(takenAtOf('2024:07:14 18:30:05')).toEqual({ takenAt: '2024-07-14T18:30:05' });
      expect(takenAtOf('2024:07:14 18:30:05', 'garbage')).toEqual({ takenAt: '2024-07-14T18:30:05' });
    });

    it('adds sub-seconds', () => {
      expect(takenAtOf('2024:07:14 18:30:05', '+02:00', '25')).toEqual({ takenAt: '2024-07-14T16:30:05.250Z', takenAtOffset: '+02:00' });
      expect(takenAtOf('2024:07:14 18:30:05', undefined, '007')).toEqual({ takenAt: '2024-07-14T18:30:05.007' });
    });

    it('gives nothing for placeholders, impossible dates and impossible offsets', () => {
      expect(takenAtOf('0000:00:00 00:00:00')).toEqual({});
      expect(takenAtOf('2024:02:30 10:00:00')).toEqual({});
      expect(takenAtOf('2024:07:14 25:00:00')).toEqual({});
      expect(takenAtOf('    :  :     :  :  ')).toEqual({});
      expect(takenAtOf(undefined)).toEqual({});
      expect(takenAtOf(1720975805)).toEqual({});
      expect(parseUtcOffset('+15:00')).toBeUndefined();
      expect(parseUtcOffset('+02:75')).toBeUndefined();
    });
  });

  describe('orientation and displayed size', () => {
    it('accepts EXIF orientations 1-8 and treats anything else as upright', () => {
      expect([1, 3, 6, 8].map(orientationOf)).toEqual([1, 3, 6, 8]);
      expect([0, 9, -1, 6.5, '6', undefined, null].map(orientationOf)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    });

    it('swaps width and height for the quarter turns (5-8) only', () => {
      expect(displayedSize(4000, 3000, 6)).toEqual({ width: 3000, height: 4000 });
      expect(displayedSize(4000, 3000, 8)).toEqual({ width: 3000, height: 4000 });
      expect(displayedSize(4000, 3000, 5)).toEqual({ width: 3000, height: 4000 });
      expect(displayedSize(4000, 3000, 3)).toEqual({ width: 4000, height: 3000 });
      expect(displayedSize(4000, 3000, 1)).toEqual({ width: 4000, height: 3000 });
    });
  });

  describe('photoInfo', () => {
    const tags = {
      Make: 'Apple\u0000',
      Model: ' iPhone 15 Pro ',
      Orientation: 6,
      DateTimeOriginal: '2024:07:14 18:30:05',
      OffsetTimeOriginal: '+02:00',
      GPSLatitude: [41, 23, 0],
      GPSLatitudeRef: 'N',
      GPSLongitude: [2, 10, 0],
      GPSLongitudeRef: 'W',
    };

    it('reads size as displayed, date taken, orientation and camera, and leaves GPS out unless allowed', () => {
      expect(photoInfo({ width: 4032, height: 3024 }, tags, false)).toEqual({
        width: 3024,
        height: 4032,
        takenAt: '2024-07-14T16:30:05.000Z',
        takenAtOffset: '+02:00',
        orientation: 6,
        cameraMake: 'Apple',
        cameraModel: 'iPhone 15 Pro',
      });
    });

    it('adds signed GPS degrees when allowed', () => {
      expect(photoInfo({ width: 10, height: 10 }, tags, true)).toMatchObject({ latitude: 41.383333, longitude: -2.166667 });
    });

    it('falls back to CreateDate and OffsetTime, and copes with no EXIF at all', () => {
      expect(photoInfo({ width: 10, height: 20 }, { CreateDate: '2020:01:02 03:04:05', OffsetTime: '-03:00' }, false)).toMatchObject({
        takenAt: '2020-01-02T06:04:05.000Z',
        takenAtOffset: '-03:00',
      });
      expect(photoInfo({ width: 640, height: 400 }, undefined, true)).toEqual({ width: 640, height: 400, orientation: 1 });
    });

    it('drops GPS that is out of range or malformed, and empty camera strings', () => {
      expect(gpsCoordinate([91, 0, 0], 'N', 90)).toBeUndefined();
      expect(gpsCoordinate([1, 2], 'N', 90)).toBeUndefined();
      expect(gpsCoordinate('41', 'N', 90)).toBeUndefined();
      expect(gpsCoordinate(-33.5, 'S', 90)).toBe(-33.5);
      expect(photoInfo({ width: 1, height: 1 }, { GPSLatitude: [41, 0, 0], GPSLatitudeRef: 'N' }, true)).not.toHaveProperty('latitude');
      expect(cameraText('\u0000\u0000 ')).toBeUndefined();
      expect(cameraText('x'.repeat(100))).toHaveLength(64);
    });
  });

  describe('videoInfo', () => {
    const banner = (extra: string, stream = 'Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 9987 kb/s, 29.97 fps') =>
      `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '<url>':\n  Metadata:\n${extra}  Duration: 00:01:02.50, start: 0.000000, bitrate: 10000 kb/s\n    ${stream} (default)\n`;

    it('reads duration, codec and size of an MP4 a browser can play', () => {
      expect(videoInfo(banner(''), 'video/mp4')).toEqual({ width: 1920, height: 1080, durationSeconds: 62.5, codec: 'h264', browserPlayable: true });
    });

    it('turns the size of a rotated video (rotate tag or display matrix) and takes the date with its offset from Apple\'s tag', () => {
      const apple = '    com.apple.quicktime.creationdate: 2024-07-14T18:30:05+0200\n    creation_time   : 2024-07-14T16:30:05.000000Z\n';
      const rotated = banner(apple, 'Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 1920x1080, 8000 kb/s, 30 fps') + '    Metadata:\n      rotate          : 90\n';
      expect(videoInfo(rotated, 'video/quicktime')).toEqual({
        width: 1080,
        height: 1920,
        takenAt: '2024-07-14T16:30:05.000Z',
        takenAtOffset: '+02:00',
        durationSeconds: 62.5,
        codec: 'hevc',
        browserPlayable: false,
      });
      const matrix = banner('') + '    Side data:\n      displaymatrix: rotation of -90.00 degrees\n';
      expect(videoInfo(matrix, 'video/mp4')).toMatchObject({ width: 1080, height: 1920 });
    });

    it('takes creation_time as UTC, but not the container epochs of cameras that do not know the time', () => {
      expect(videoInfo(banner('    creation_time   : 2023-05-06T07:08:09.000000Z\n'), 'video/mp4')).toMatchObject({ takenAt: '2023-05-06T07:08:09.000Z', takenAtOffset: '+00:00' });
      expect(videoInfo(banner('    creation_time   : 1904-01-01T00:00:00.000000Z\n'), 'video/mp4')).not.toHaveProperty('takenAt');
    });

    it('says an H.264 QuickTime file is not browser-playable, nor anything without a video stream', () => {
      expect(videoInfo(banner(''), 'video/quicktime').browserPlayable).toBe(false);
      expect(videoInfo('Duration: 00:00:03.00', 'video/mp4')).toEqual({ durationSeconds: 3, browserPlayable: false });
      expect(videoInfo('', 'video/webm')).toEqual({ browserPlayable: false });
    });
  });

  describe('what is processed', () => {
    it('renders photos with sharp, HEIC with the WASM decoder, videos with ffmpeg, and nothing else', () => {
      expect(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff'].map(mediaKindOf)).toEqual(Array(6).fill('sharp'));
      expect(['image/heic', 'image/heif'].map(mediaKindOf)).toEqual(['heic', 'heic']);
      expect(['video/mp4', 'video/quicktime', 'video/webm'].map(mediaKindOf)).toEqual(['video', 'video', 'video']);
      // Camera containers the decoder box opens (AVI, Matroska, MPEG program and transport streams).
      expect(['video/x-msvideo', 'video/x-matroska', 'video/mpeg', 'video/mp2t'].map(mediaKindOf)).toEqual(['video', 'video', 'video', 'video']);
      // WMV (ASF) is outside the box.
      expect(['image/svg+xml', 'application/pdf', 'video/x-ms-wmv'].map(mediaKindOf)).toEqual([undefined, undefined, undefined]);
      expect(initialProcessing('image/jpeg')).toBe('pending');
      expect(initialProcessing('image/svg+xml')).toBe('unsupported');
    });

    it('accepts only well-formed process requests', () => {
      expect(parseProcessRequest({ kind: 'created', key: 'media/a.jpg' })).toEqual({ kind: 'created', key: 'media/a.jpg' });
      expect(parseProcessRequest({ kind: 'updated', key: 'media/a.jpg' })).toBeUndefined();
      expect(parseProcessRequest({ kind: 'removed', key: '' })).toBeUndefined();
      expect(parseProcessRequest(null)).toBeUndefined();
      expect(parseProcessRequest('media/a.jpg')).toBeUndefined();
      expect(parseProcessRequest({ kind: 'created', key: 'media/a.jpg', run: 'rmb1x2' })).toEqual({ kind: 'created', key: 'media/a.jpg', run: 'rmb1x2' });
      expect(parseProcessRequest({ kind: 'created', key: 'media/a.jpg', run: 'a/b' })).toBeUndefined();
      expect(parseProcessRequest({ kind: 'created', key: 'media/a.jpg', run: 'x'.repeat(17) })).toBeUndefined();
      expect(parseProcessRequest({ kind: 'created', key: 'media/a.jpg', run: 7 })).toBeUndefined();
    });
  });

  describe('derived keys', () => {
    it('put every derived image of a key under one short prefix outside media/, named by the version it shows', () => {
      const key = `media/${'é'.repeat(370)}.jpg`;
      expect(derivedPrefixOf(key)).toMatch(/^derived\/[0-9a-f]{40}\/$/);
      expect(derivedKeyOf(key, '"abc123-2"', 'thumb')).toBe(`${derivedPrefixOf(key)}abc123-2-thumb.webp`);
      expect(derivedPrefixOf('media/a.jpg')).not.toBe(derivedPrefixOf('media/b.jpg'));
    });
  });

  describe('takenSortKey', () => {
    it('sorts by the instant taken, a local time as if UTC, the upload time when none is known, then by name', () => {
      expect(takenSortKey('2024-07-14T16:30:05.250Z', '2025-01-01T00:00:00.000Z', 'a.jpg')).toBe('2024-07-14T16:30:05.250Z#a.jpg');
      expect(takenSortKey('2024-07-14T18:30:05', '2025-01-01T00:00:00.000Z', 'a.jpg')).toBe('2024-07-14T18:30:05.000Z#a.jpg');
      expect(takenSortKey(undefined, '2025-01-01T00:00:00.000Z', 'b.jpg')).toBe('2025-01-01T00:00:00.000Z#b.jpg');
    });
  });
});
