/**
 * Key prefixes of the media bucket that the module (notifications, roles, lifecycle) and the
 * handlers agree on.
 */
/** Thumbnails, previews and posters: outside `media/`, so writing them never notifies the sync function. */
export const DERIVED_PREFIX = 'derived/';
