import { etaSeconds, fitLabel, formatBytes, formatEta, formatRate, percent, progressLine, RateMeter, renderBar } from '../../../cli/progress-format';
import { TransferProgress } from '../../../cli/progress';

describe('progress formatting', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1.5 * 1024 ** 2)).toBe('1.5 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.0 TiB');
    expect(formatBytes(-1)).toBe('?');
  });

  it('formats rates, unknown as "-- /s"', () => {
    expect(formatRate(undefined)).toBe('-- /s');
    expect(formatRate(10 * 1024 ** 2)).toBe('10.0 MiB/s');
  });

  it('formats the ETA as m:ss or h:mm:ss, unknown or absurd as --:--', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(59.2)).toBe('1:00');
    expect(formatEta(61)).toBe('1:01');
    expect(formatEta(3600 + 62)).toBe('1:01:02');
    expect(formatEta(undefined)).toBe('--:--');
    expect(formatEta(Infinity)).toBe('--:--');
    expect(formatEta(100 * 3600)).toBe('--:--');
  });

  it('computes the ETA from the remaining bytes and the rate', () => {
    expect(etaSeconds(100, 50)).toBe(2);
    expect(etaSeconds(0, undefined)).toBe(0);
    expect(etaSeconds(100, undefined)).toBeUndefined();
    expect(etaSeconds(100, 0)).toBeUndefined();
  });

  it('renders a clamped bar and a percentage', () => {
    expect(renderBar(0.5, 10)).toBe('[#####-----]');
    expect(renderBar(2, 4)).toBe('[####]');
    expect(renderBar(Number.NaN, 4)).toBe('[----]');
    expect(percent(1, 3)).toBe(' 33%');
    expect(percent(0, 0)).toBe('100%');
  });

  it('writes one progress line with bytes, rate and ETA', () => {
    expect(progressLine('a.mov', 512 * 1024 ** 2, 1024 ** 3, 128 * 1024 ** 2, 10)).toBe('a.mov [#####-----]  50%  512.0 MiB / 1.0 GiB  128.0 MiB/s  ETA 0:04');
  });

  it('fits labels to a width, keeping the end', () => {
    expect(fitLabel('abc', 5)).toBe('abc  ');
    expect(fitLabel('a-very-long-name.mov', 8)).toBe('…ame.mov');
  });
});

describe('RateMeter', () => {
  it('measures the rate over its window only', () => {
    const meter = new RateMeter(1000);
    meter.record(0, 0);
    expect(meter.rate()).toBeUndefined();
    meter.record(1000, 1000); // 1,000 B/s
    expect(meter.rate()).toBe(1000);
    meter.record(11000, 2000); // the last second ran at 10,000 B/s
    meter.record(21000, 3000);

    expect(meter.rate()).toBe(10000);
  });
});

describe('TransferProgress', () => {
  it('writes plain lines at each 10 % and a summary when not on a terminal', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new TransferProgress({ isTTY: false, write: (text) => lines.push(text) }, 1000, 1, () => now);

    const track = progress.begin('a.jpg', 1000);
    for (let i = 0; i < 20; i += 1) {
      now += 100;
      progress.advance(track, 50);
    }
    progress.finish(track, 'a.jpg: done');

    expect(lines.filter((l) => l.startsWith('a.jpg ['))).toHaveLength(9);
    expect(lines[0]).toMatch(/^a\.jpg \[#---------\]  10%/);
    expect(lines[lines.length - 1]).toMatch(/^a\.jpg: done \(1000 B, .* overall\)\n$/);
    expect(lines.join('')).not.toContain('\x1b');
  });

  it('redraws in place with escape codes on a terminal, with a total line for several files', () => {
    const out: string[] = [];
    let now = 0;
    const progress = new TransferProgress({ isTTY: true, write: (text) => out.push(text), columns: 120 }, 2000, 2, () => now);

    const first = progress.begin('a.jpg', 1000);
    now += 500;
    progress.advance(first, 500);

    const last = out[out.length - 1] as string;
    expect(last).toContain('\x1b[2F');
    expect(last).toMatch(/a\.jpg.*50%/);
    expect(last).toMatch(/total.*25%/);
  });

  it('reports resumed bytes as already done', () => {
    const lines: string[] = [];
    const progress = new TransferProgress({ isTTY: false, write: (text) => lines.push(text) }, 1000, 1, () => 0);

    progress.begin('a.jpg', 1000, 400);

    expect(lines[0]).toBe('a.jpg: resuming, 400 B of 1000 B already stored\n');
  });
});
