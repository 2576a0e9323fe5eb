/**
 * Key prefixes of the media bucket that the module (notifications, roles, lifecycle) and the
 * handlers agree on.
 */
/** Thumbnails, previews and posters: outside `media/`, so writing them never notifies the sync function. */
export const DERIVED_PREFIX = 'derived/';
/**
 * Segments of a video copy being made (the video workflow): outside `media/` and `derived/`,
 * deleted by the workflow when it ends and expired by the bucket's lifecycle after a day anyway.
 */
export const SCRATCH_PREFIX = 'scratch/';
/**
 * Deleted files waiting in the trash (handlers/files/trash.ts): `trash/<entry id>`, outside
 * `media/` (no sync, no catalog row), expired by the bucket's lifecycle after
 * `trash_retention_days`.
 */
export const TRASH_PREFIX = 'trash/';
