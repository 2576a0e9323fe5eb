/**
 * The timeline's own chunk, fetched when the view is first shown or, for a signed-in visit,
 * while the session is renewed (timeline/load.ts): after first paint either way, so it never
 * weighs on the initial JS and CSS budget (scripts/build-web.ts).
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { TimelineProps } from '../timeline/Timeline';
import { loadTimelineChunk } from '../timeline/load';
import * as actions from '../actions';

let loaded: ComponentType<TimelineProps> | undefined;

export function TimelineLoader() {
  const [Timeline, setTimeline] = useState<ComponentType<TimelineProps> | undefined>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (loaded !== undefined) return;
    loadTimelineChunk().then(
      (module) => {
        loaded = module.default;
        setTimeline(() => module.default);
      },
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="loading" role="alert">The timeline could not be loaded. Reload the page to try again.</p>;
  if (Timeline === undefined) return <p class="loading" role="status">Loading…</p>;
  return <Timeline onDownload={(file) => void actions.downloadFiles([file])} />;
}
