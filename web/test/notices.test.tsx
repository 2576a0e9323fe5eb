import { act, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api';
import { dismissNotice, INFO_NOTICE_MS, notify, showError, showView } from '../src/actions';
import { Dialog } from '../src/components/Dialog';
import { NoticeBar } from '../src/components/NoticeBar';
import { initialState, store } from '../src/store';

beforeEach(() => {
  vi.useFakeTimers();
  store.update({ ...initialState, user: { username: 'ann', role: 'admin' } });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('notices', () => {
  it('lets a confirmation go by itself after a few seconds', () => {
    // Prepare
    render(<NoticeBar />);
    // Act
    act(() => notify('Created folder /trips'));
    // Assess
    expect(screen.getByRole('status').textContent).toContain('Created folder /trips');
    act(() => void vi.advanceTimersByTime(INFO_NOTICE_MS - 100));
    expect(screen.queryByRole('status')).not.toBeNull();
    act(() => void vi.advanceTimersByTime(200));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('clears a confirmation when the user goes to another page, so it never shows on the Shares page', () => {
    render(<NoticeBar />);
    act(() => notify('Created folder /trips'));

    act(() => showView('shares'));

    expect(screen.queryByRole('status')).toBeNull();
    expect(store.get().view).toBe('shares');
  });

  it('does not let an older confirmation\'s timer take away a newer one early', () => {
    render(<NoticeBar />);
    act(() => notify('first'));
    act(() => void vi.advanceTimersByTime(INFO_NOTICE_MS - 1000));

    act(() => notify('second'));
    act(() => void vi.advanceTimersByTime(1500));

    expect(screen.getByRole('status').textContent).toContain('second');
  });

  it('keeps a confirmation while the keyboard is on its dismiss button', () => {
    render(<NoticeBar />);
    act(() => notify('Deleted 2 files'));
    screen.getByRole('button', { name: 'Dismiss message' }).focus();

    act(() => void vi.advanceTimersByTime(INFO_NOTICE_MS * 2));
    expect(screen.getByRole('status').textContent).toContain('Deleted 2 files');

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss message' }));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('keeps an error, across pages, until it is dismissed', () => {
    // Prepare
    render(<NoticeBar />);
    // Act
    act(() => showError(new ApiError(403, 'Forbidden', 'Role "viewer" may not change files'), 'rename a.jpg'));
    act(() => void vi.advanceTimersByTime(INFO_NOTICE_MS * 3));
    act(() => showView('users'));
    // Assess
    expect(screen.getByRole('alert').textContent).toContain('You are not allowed to rename a.jpg. Role "viewer" may not change files');
    act(() => dismissNotice());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an error raised while a dialog is open inside the dialog, where the user is looking', () => {
    // Prepare: an older error is on the page already; it is not the dialog's.
    act(() => showError(new Error('earlier'), 'load'));
    render(<Dialog title="New folder" onClose={() => undefined}><p>form</p></Dialog>);
    expect(screen.getByRole('dialog', { hidden: true }).querySelector('[role="alert"]')).toBeNull();
    // Act
    act(() => showError(new ApiError(403, 'FolderForbidden', 'You may not create folder /x'), 'create /x'));
    // Assess
    const inside = screen.getByRole('dialog', { hidden: true }).querySelector('[role="alert"]');
    expect(inside?.textContent).toBe('You are not allowed to create /x. You may not create folder /x');
  });
});
