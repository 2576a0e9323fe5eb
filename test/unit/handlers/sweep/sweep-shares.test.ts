import type { ShareNotification } from '../../../../contract/notifications';
import type { CatalogFile, UploadSession } from '../../../../handlers/core/catalog';
import type { DropReservation } from '../../../../handlers/adapters/drop-reservations';
import type { DueReminder } from '../../../../handlers/adapters/share-reminders';
import { recordDropArrival } from '../../../../handlers/shares/drop-arrivals';
import { sweepShares, type SweepDeps } from '../../../../handlers/sweep/sweep-shares';
import { memoryLogger } from '../../support';

const NOW = new Date('2026-12-01T20:00:00.000Z');

const reservation = (uploadId: string): DropReservation => ({ uploadId, shareId: 's1', owner: 'alice', label: 'Wedding', size: 100, state: 'reserved', releaseAt: 1 });
const reminder = (id: string): DueReminder => ({ id, owner: 'alice', target: { kind: 'folder', folder: '/inbox' }, mode: 'drop', expiresAt: '2026-12-02T10:00:00.000Z' });

/** The stores' contract as the sweep sees it: each due item settles once. */
function sharesFake(due: { reservations: DropReservation[]; reminders: DueReminder[] }): Pick<SweepDeps, 'reservations' | 'reminders'> & { released: string[]; claimed: string[] } {
  const released: string[] = [];
  const claimed: string[] = [];
  return {
    released,
    claimed,
    reservations: {
      due: async () => due.reservations,
      release: async (uploadId) => {
      if (released.includes(uploadId)) return undefined;
      released.push(uploadId);
      return { ...reservation(uploadId), state: 'released' };
      },
    },
    reminders: {
      due: async () => due.reminders,
      claim: async (id) => {
        if (claimed.includes(id)) return false;
        claimed.push(id);
        return true;
      },
    },
  };
}

describe('sweepShares', () => {
  it('gives back due reservations and sends one share.expiring per due share', async () => {
    // Prepare
    const shares = sharesFake({ reservations: [reservation('u1'), reservation('u2')], reminders: [reminder('a'), reminder('b')] });
    const sent: ShareNotification[] = [];
    // Act
    const outcome = await sweepShares({ ...shares, notify: async (m) => void sent.push(m), expiryReminders: true, logger: memoryLogger().logger, now: () => NOW });
    const again = await sweepShares({ ...shares, notify: async (m) => void sent.push(m), expiryReminders: true, logger: memoryLogger().logger, now: () => NOW });
    // Assess
    expect(outcome).toEqual({ released: 2, reminded: 2 });
    expect(again).toEqual({ released: 0, reminded: 0 });
    expect(sent.map((m) => [m.type, m.shareId])).toEqual([
      ['share.expiring', 'a'],
      ['share.expiring', 'b'],
    ]);
    expect(sent[0]).toEqual({ type: 'share.expiring', shareId: 'a', owner: 'alice', mode: 'drop', target: { kind: 'folder', folder: '/inbox' }, expiresAt: '2026-12-02T10:00:00.000Z' });
  });

  it('sends no reminder and claims none when reminders are off, and still gives quota back', async () => {
    const shares = sharesFake({ reservations: [reservation('u1')], reminders: [reminder('a')] });
    const sent: ShareNotification[] = [];
    const outcome = await sweepShares({ ...shares, notify: async (m) => void sent.push(m), expiryReminders: false, logger: memoryLogger().logger, now: () => NOW });
    expect(outcome).toEqual({ released: 1, reminded: 0 });
    expect(sent).toEqual([]);
    expect(shares.claimed).toEqual([]);
  });

  it('logs a failed publish and goes on with the next share, without sending the failed one again', async () => {
    const shares = sharesFake({ reservations: [], reminders: [reminder('a'), reminder('b')] });
    const log = memoryLogger();
    const sent: string[] = [];
    const notify = async (m: ShareNotification) => {
      if (m.shareId === 'a') throw new Error('SNS is down');
      sent.push(m.shareId);
    };
    const outcome = await sweepShares({ ...shares, notify, expiryReminders: true, logger: log.logger, now: () => NOW });
    await sweepShares({ ...shares, notify, expiryReminders: true, logger: log.logger, now: () => NOW });
    expect(outcome.reminded).toBe(1);
    expect(sent).toEqual(['b']);
    expect(log.text()).toContain('share expiry reminder failed');
  });
});

describe('recordDropArrival', () => {
  const file = { id: 'f1', key: 'media/inbox/a.jpg', folder: '/inbox', name: 'a.jpg', size: 100, contentType: 'image/jpeg', uploadedAt: NOW.toISOString() } as CatalogFile;
  const session = (owner: string) => ({ uploadId: 'u1', owner }) as UploadSession;

  it('announces an arrival once, however often the event comes', async () => {
    let state: DropReservation['state'] = 'reserved';
    const reservations = { arrive: async () => (state === 'arrived' ? undefined : ((state = 'arrived'), { ...reservation('u1'), state })) };
    const sent: ShareNotification[] = [];
    const deps = { reservations, notify: async (m: ShareNotification) => void sent.push(m), logger: memoryLogger().logger, now: () => NOW };
    expect(await recordDropArrival(file, session('share:Wedding'), deps)).toBe(true);
    expect(await recordDropArrival(file, session('share:Wedding'), deps)).toBe(false);
    expect(sent).toEqual([
      { type: 'share.files-arrived', shareId: 's1', label: 'Wedding', owner: 'alice', fileId: 'f1', folder: '/inbox', name: 'a.jpg', size: 100, contentType: 'image/jpeg', uploadedAt: NOW.toISOString() },
    ]);
  });

  it('does not look up users\' own uploads', async () => {
    const reservations = { arrive: jest.fn() };
    expect(await recordDropArrival(file, session('alice'), { reservations, logger: memoryLogger().logger })).toBe(false);
    expect(reservations.arrive).not.toHaveBeenCalled();
  });
});
