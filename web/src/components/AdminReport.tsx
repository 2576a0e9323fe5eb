/**
 * An admin's report read from the API (the storage figures, the duplicates): its heading with a
 * button to read it again, what went wrong, a line while it is read the first time, then the
 * report, kept on screen while it is read again.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';

/** What a report says around its figures. */
export interface ReportWords {
  readonly title: string;
  /** The button, and its label while it reads. */
  readonly again: string;
  readonly busy: string;
  /** Before the error's message: "Could not …". */
  readonly failure: string;
  /** Shown while it is read the first time. */
  readonly loading: string;
}

export interface AdminReportProps<T> {
  /** The section's class and the heading's id. */
  readonly class: string;
  readonly headingId: string;
  readonly words: ReportWords;
  readonly load: () => Promise<T>;
  readonly children: (report: T) => ComponentChildren;
}

export function AdminReport<T>(props: AdminReportProps<T>) {
  const [report, setReport] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  const refresh = async (): Promise<void> => {
    setLoading(true);
    setError(undefined);
    try {
      setReport(await props.load());
    } catch (e) {
      setError(e instanceof api.ApiError ? e.message : 'Cannot reach the server. Check your connection and try again.');
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void refresh(), []);

  const { words } = props;
  return (
    <section class={props.class} aria-labelledby={props.headingId} aria-busy={loading}>
      <div class="storage-head">
        <h2 id={props.headingId}>{words.title}</h2>
        <button type="button" onClick={() => void refresh()} disabled={loading}>{loading ? words.busy : words.again}</button>
      </div>
      {error && <p class="error" role="alert">{words.failure}: {error}</p>}
      {report === undefined && loading && <p class="loading" role="status">{words.loading}</p>}
      {report !== undefined && props.children(report)}
    </section>
  );
}
