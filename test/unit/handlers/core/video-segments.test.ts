import { planSegments, segmentLabel, VideoSegmentFailed, workflowFailureReason } from '../../../../handlers/core/video-segments';

describe('video segments', () => {
  describe('VideoSegmentFailed', () => {
    it('names the segment as a person counts it, with its window, or the audio track', () => {
      // Prepare
      const [first, second, last, audio] = planSegments(5, 2, true);
      // Act
      const errors = [second, last, audio].map((item) => new VideoSegmentFailed(item!, 'the video could not be decoded'));
      // Assert
      expect(segmentLabel(first!)).toBe('segment 1 (0–2 s)');
      expect(errors.map((e) => [e.name, e.message])).toEqual([
        ['VideoSegmentFailed', 'segment 2 (2–4 s): the video could not be decoded'],
        ['VideoSegmentFailed', 'segment 3 (from 4 s): the video could not be decoded'],
        ['VideoSegmentFailed', 'the audio track: the video could not be decoded'],
      ]);
    });
  });

  describe('workflowFailureReason', () => {
    const cause = (message: string) => JSON.stringify({ errorType: 'VideoSegmentFailed', errorMessage: message, trace: ['at /var/task/index.js'] });

    it("gives a failed segment's own words, naming it", () => {
      expect(workflowFailureReason({ Error: 'VideoSegmentFailed', Cause: cause('segment 3 (4–6 s): the video could not be decoded') })).toBe('could not make a playable copy: segment 3 (4–6 s): the video could not be decoded');
    });

    it('gives only the error name for anything else, or for a cause not in the words the segment step writes (a path, a log)', () => {
      expect(workflowFailureReason({ Error: 'Sandbox.Timedout', Cause: cause('segment 1 (0–2 s): x') })).toBe('could not make a playable copy (Sandbox.Timedout)');
      expect(workflowFailureReason({ Error: 'VideoSegmentFailed', Cause: cause('segment 1 (0–2 s): /tmp/video-1/in.ts: Invalid data') })).toBe('could not make a playable copy (VideoSegmentFailed)');
      expect(workflowFailureReason({ Error: 'VideoSegmentFailed', Cause: 'not json' })).toBe('could not make a playable copy (VideoSegmentFailed)');
      expect(workflowFailureReason({})).toBe('could not make a playable copy (unknown error)');
    });
  });
});
