/** Pure formatting of transfer progress: sizes, rates, ETA and the bar. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units, one decimal above bytes: `0 B`, `1023 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) ? '-- /s' : `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** `m:ss` or `h:mm:ss`; `--:--` when unknown (no rate yet) or absurd (over 99 hours). */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > 99 * 3600) return '--:--';
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function etaSeconds(remainingBytes: number, bytesPerSecond: number | undefined): number | undefined {
  if (remainingBytes <= 0) return 0;
  return bytesPerSecond && bytesPerSecond > 0 ? remainingBytes / bytesPerSecond : undefined;
}

export function renderBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function percent(done: number, total: number): string {
  const value = total <= 0 ? 100 : Math.floor((Math.min(done, total) / total) * 100);
  return `${String(value).padStart(3)}%`;
}

/** `label [####----]  42%  10.0 MiB / 24.0 MiB  5.1 MiB/s  ETA 0:03` */
export function progressLine(label: string, done: number, total: number, rate: number | undefined, barWidth = 20): string {
  const fraction = total <= 0 ? 1 : done / total;
  return `${label} ${renderBar(fraction, barWidth)} ${percent(done, total)}  ${formatBytes(done)} / ${formatBytes(total)}  ${formatRate(rate)}  ETA ${formatEta(etaSeconds(total - done, rate))}`;
}

/** Shortens a label to `width` characters, keeping its end (the file name matters most). */
export function fitLabel(label: string, width: number): string {
  const chars = [...label];
  if (chars.length <= width) return label + ' '.repeat(width - chars.length);
  return `…${chars.slice(chars.length - width + 1).join('')}`;
}

/**
 * Transfer rate over a sliding window of recent samples, so the ETA follows the current speed
 * rather than the average since the start.
 */
export class RateMeter {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records the cumulative byte count at time `t` (ms). */
  record(bytes: number, t: number): void {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or undefined before ~0.2 s of data. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 200) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}
