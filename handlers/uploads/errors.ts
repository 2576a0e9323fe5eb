/** The upload session errors callers can act on, each with its own stable code. */
import { BadRequest, Conflict, HttpError, NotFound } from '../core/errors';

/** No such session — or not the caller's: others' uploads are not revealed. */
export class UploadNotFound extends NotFound {
  override readonly code = 'UploadNotFound';
}

/** The session (or S3's multipart upload behind it) has expired: start a new upload. */
export class UploadExpired extends HttpError {
  readonly statusCode = 410;
  readonly code = 'UploadExpired';
}

/** A multipart operation on a single-PUT session. */
export class NotMultipart extends Conflict {
  override readonly code = 'NotMultipart';
}

/** The upload is already completed: nothing left to sign or abort. */
export class UploadCompleted extends Conflict {
  override readonly code = 'UploadCompleted';
}

/** Completion refused: the parts do not make the declared file. The upload has been aborted. */
export class UploadRejected extends BadRequest {
  constructor(
    override readonly code: 'PartListMismatch' | 'SizeMismatch' | 'PartsRejected',
    message: string,
  ) {
    super(message);
  }
}

/** A file already has this folder and name, and the upload did not ask to replace it. */
export class FileExists extends Conflict {
  override readonly code = 'FileExists';
}
