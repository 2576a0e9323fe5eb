/**
 * Duplicate uploads (issue 22 §2): what a client asks before sending, and how much at once.
 * Pure data, no imports outside contract/.
 *
 * Both clients know a file's whole-file SHA-256 before sending it when it is at most
 * `WHOLE_FILE_SHA256_MAX_BYTES` (contract/multipart.ts: hashed first, one read of the file), ask
 * `POST /files/exists` with those SHA-256s in batches of `MAX_EXISTS_HASHES`, and skip the files
 * already in the library (among the files the user may see) unless told to upload them anyway.
 * A larger file is hashed while its parts are sent (the same pass that hashes the parts) and its
 * SHA-256 declared when the upload completes: reading many GiB before sending would delay every
 * large upload for the rare re-upload of one, so a duplicate large file is sent again, then
 * listed by the Duplicates view.
 */

/** Most SHA-256s one `POST /files/exists` takes: a 10,000-file folder asks in 100 requests. */
export const MAX_EXISTS_HASHES = 100;

/** `POST /files/exists` requests a client runs at once. */
export const EXISTS_REQUESTS_AT_ONCE = 4;
