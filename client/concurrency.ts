/**
 * How many parts to keep in flight, chosen from the measured rate instead of fixed (Uppy and
 * lib-storage use a fixed 4 or 6): a link with a long round trip or a per-connection cap
 * carries more with more connections, a saturated one only queues them. Hill climbing over
 * windows of completed parts: double while the rate grows by at least `gain`, then settle on
 * the best level seen; if the settled rate later falls well below what it was, probe again.
 * Pure: time comes in with each record. The CLI and the web app's uploader both run this one
 * rule (no Node or DOM imports), each within its own limits below.
 */
interface ConcurrencyLimits {
  /** Parts in flight at the start. */
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /**
   * Relative rate increase that justifies the next doubling: above the noise of a shared
   * machine (±20-30 % between windows on the 2-core bench box, where probing 8 in flight while
   * the server verifies SHA-256 cost a quarter of the rate), below what a link that needed more
   * connections shows (+60-100 %). @default 0.5
   */
  readonly gain?: number;
  /** Rate measured over at least this long… @default 1000 */
  readonly windowMs?: number;
  /** …and at least this many completed parts per level in flight. @default 2 */
  readonly windowPartsPerSlot?: number;
  /**
   * Windows at the start that are measured but not compared: they carry the start-up (first
   * signing round trips, connections opening, hashing's first parts), so the next window looked
   * ≥ 50 % faster and the rule doubled on nothing (4 → 16 in flight on a saturated loopback).
   * @default 1
   */
  readonly warmupWindows?: number;
}

/** The CLI: from 4, within 2-16 (Node opens as many keep-alive connections as asked). */
export const CLI_PART_CONCURRENCY: ConcurrencyLimits = { initial: 4, min: 2, max: 16 };

/**
 * A browser: Chromium and Firefox open at most 6 HTTP/1.1 connections per host, and S3's
 * presigned URLs are HTTP/1.1, so a 7th part in flight would only queue behind the others.
 */
export const BROWSER_PART_CONCURRENCY: ConcurrencyLimits = { initial: 4, min: 2, max: 6 };

interface Level {
  readonly concurrency: number;
  readonly rate: number;
}

export class AdaptiveConcurrency {
  private level: number;
  private best: Level | undefined;
  private probing = true;
  private windowStart: number | undefined;
  private windowBytes = 0;
  private windowParts = 0;
  private warmups: number;
  /** Levels tried and their rates (bytes/s), for `--debug` and tests. */
  readonly history: Level[] = [];

  constructor(private readonly limits: ConcurrencyLimits) {
    this.level = clamp(limits.initial, limits.min, limits.max);
    this.warmups = limits.warmupWindows ?? 1;
  }

  /** Parts to keep in flight now. */
  get current(): number {
    return this.level;
  }

  /** A part finished at `now` (ms) after `bytes` were sent; may change `current`. */
  record(bytes: number, now: number, startedAt: number): void {
    this.windowStart ??= startedAt;
    this.windowBytes += bytes;
    this.windowParts += 1;
    const elapsed = now - this.windowStart;
    if (elapsed < (this.limits.windowMs ?? 1000) || this.windowParts < this.level * (this.limits.windowPartsPerSlot ?? 2)) return;
    const rate = (this.windowBytes * 1000) / Math.max(1, elapsed);
    this.history.push({ concurrency: this.level, rate });
    this.windowStart = now;
    this.windowBytes = 0;
    this.windowParts = 0;
    if (this.warmups > 0) {
      this.warmups -= 1;
      return;
    }
    const gain = this.limits.gain ?? 0.5;
    if (this.probing) {
      if (this.best === undefined || rate >= this.best.rate * (1 + gain)) {
        this.best = { concurrency: this.level, rate };
        const next = clamp(this.level * 2, this.limits.min, this.limits.max);
        if (next === this.level) this.probing = false;
        this.level = next;
      } else {
        this.level = this.best.concurrency;
        this.probing = false;
      }
      return;
    }
    // Settled: the link changed (another transfer started, Wi-Fi got worse…) — start over from here.
    if (this.best !== undefined && rate < this.best.rate * 0.5) {
      this.best = { concurrency: this.level, rate };
      this.probing = true;
      this.level = clamp(this.level * 2, this.limits.min, this.limits.max);
    }
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(value)));
