/**
 * Progress on stderr: on a terminal, one redrawn line per file plus a total line (at most
 * ~8 redraws a second); otherwise plain lines at every 10 % of a file and at its end, so logs
 * and pipes stay readable.
 */
import type { CliIo } from './io';
import { fitLabel, formatBytes, formatRate, progressLine, RateMeter } from './progress-format';

interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
  readonly columns?: number;
}

interface Track {
  readonly label: string;
  size: number;
  done: number;
  readonly meter: RateMeter;
  finished: boolean;
  lastStep: number;
}

const REDRAW_MS = 120;

export class TransferProgress {
  private readonly tracks: Track[] = [];
  private readonly total: Track;
  private drawnLines = 0;
  private lastDraw = 0;
  private readonly startedAt: number;

  constructor(
    private readonly sink: ProgressSink,
    totalBytes: number,
    private readonly fileCount: number,
    private readonly now: () => number = Date.now,
    private readonly enabled = true,
  ) {
    this.startedAt = now();
    this.total = { label: 'total', size: totalBytes, done: 0, meter: new RateMeter(), finished: false, lastStep: 0 };
  }

  /** A file starts; `alreadyStored` bytes came from an earlier run (resume). */
  begin(label: string, size: number, alreadyStored = 0): number {
    const track: Track = { label, size, done: alreadyStored, meter: new RateMeter(), finished: false, lastStep: -1 };
    this.tracks.push(track);
    this.total.done += alreadyStored;
    const t = this.now();
    track.meter.record(track.done, t);
    this.total.meter.record(this.total.done, t);
    if (this.enabled && !this.sink.isTTY && alreadyStored > 0) this.sink.write(`${label}: resuming, ${formatBytes(alreadyStored)} of ${formatBytes(size)} already stored\n`);
    this.draw(true);
    return this.tracks.length - 1;
  }

  advance(index: number, delta: number): void {
    const track = this.tracks[index];
    if (!track) return;
    track.done += delta;
    this.total.done += delta;
    const t = this.now();
    track.meter.record(track.done, t);
    this.total.meter.record(this.total.done, t);
    this.draw(false);
  }

  finish(index: number, summary: string): void {
    const track = this.tracks[index];
    if (!track) return;
    track.finished = true;
    track.done = track.size;
    const seconds = (this.now() - this.startedAt) / 1000;
    if (!this.enabled) return;
    if (this.sink.isTTY) {
      // The finished file's line stays on screen; live lines are redrawn below it.
      this.sink.write(`${this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[0J` : ''}${summary}\n`);
      this.drawnLines = 0;
      this.draw(true);
    } else {
      this.sink.write(`${summary} (${formatBytes(track.size)}, ${formatRate(seconds > 0 ? this.total.done / seconds : undefined)} overall)\n`);
    }
  }

  /** A file that will not be sent (its content is already in the library): out of the total. */
  skip(size: number): void {
    this.total.size = Math.max(0, this.total.size - size);
  }

  /** Removes the live lines (before an error message or at the end). */
  end(): void {
    if (this.enabled && this.sink.isTTY && this.drawnLines > 0) {
      this.sink.write(`\x1b[${this.drawnLines}F\x1b[0J`);
      this.drawnLines = 0;
    }
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const t = this.now();
    if (!this.sink.isTTY) {
      for (const track of this.tracks) {
        if (track.finished || track.size <= 0) continue;
        const step = Math.floor((track.done / track.size) * 10);
        if (step > track.lastStep && step < 10) {
          track.lastStep = step;
          if (step > 0) this.sink.write(`${progressLine(track.label, track.done, track.size, track.meter.rate(), 10)}\n`);
        }
      }
      return;
    }
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const width = Math.max(40, (this.sink.columns ?? 100) - 1);
    const labelWidth = Math.max(8, Math.min(30, width - 70));
    const lines = this.tracks
      .filter((track) => !track.finished)
      .slice(-5)
      .map((track) => progressLine(fitLabel(track.label, labelWidth), track.done, track.size, track.meter.rate()));
    if (this.fileCount > 1) lines.push(progressLine(fitLabel('total', labelWidth), this.total.done, this.total.size, this.total.meter.rate()));
    let out = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[0J` : '';
    for (const line of lines) out += `${line.slice(0, width)}\n`;
    this.drawnLines = lines.length;
    this.sink.write(out);
  }
}

/** A command's progress over `files` on its stderr, as wide as the terminal; `enabled` false (`--no-progress`): nothing drawn. */
export function progressOnStderr(io: Pick<CliIo, 'stderrIsTTY' | 'stderr' | 'columns'>, files: readonly { readonly size: number }[], enabled = true): TransferProgress {
  const sink = { isTTY: io.stderrIsTTY, write: io.stderr, ...(io.columns !== undefined ? { columns: io.columns } : {}) };
  return new TransferProgress(sink, files.reduce((sum, f) => sum + f.size, 0), files.length, Date.now, enabled);
}
