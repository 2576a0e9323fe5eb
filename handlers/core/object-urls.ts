/**
 * Every URL the service signs for an object of the bucket, made in one place.
 *
 * A GET (listings, file views, downloads, public shares and their ZIP links, thumbnails and
 * previews, the decoder's read of a video) is signed only by `ObjectUrls.get`, which applies
 * the active-content rule: a file that does not render inline as passive media (SVG, HTML,
 * XML, scripts, PDF, anything unknown) is served as an attachment of type
 * application/octet-stream, whatever URL it is reached through, so it never runs in a
 * visitor's browser. Writes (an upload's PUT, a part's PUT) have their own methods, which sign
 * nothing a browser would render.
 *
 * The raw presigner (core/presign.ts) is used by the object store adapter only, which hands
 * handlers an `ObjectUrls`; test/unit/handlers/core/object-urls.test.ts fails when a file of handlers/
 * imports the presigner, builds an `ObjectUrls` or names a GetObject itself.
 */
import { attachmentDisposition } from './content-disposition';
import { ACTIVE_CONTENT_RESPONSE_TYPE, rendersInline } from './content-types';
import { MAX_PRESIGN_EXPIRES_IN, type PresignInput } from './presign';

export { MAX_PRESIGN_EXPIRES_IN };

/** How the browser is asked to treat a GET: shown in the page, or saved as a file. */
type Delivery = 'inline' | 'attachment';

/** What the rule needs to know of an object: its key, the name to save it under and its type. */
interface ReadableObject {
  readonly key: string;
  readonly name: string;
  readonly contentType: string;
}

/** A URL's lifetime. */
interface UrlExpiry {
  /** Whole seconds, 1 … 604800. */
  readonly expiresIn: number;
  /** Signing clock. @default new Date() */
  readonly now?: Date;
}

/** A signed write of one object (a whole PUT, or one part of a multipart upload). */
interface WriteUrlRequest extends UrlExpiry {
  readonly key: string;
  /** Lower-case header names the client must send; all are signed. */
  readonly headers?: Readonly<Record<string, string>>;
}

interface PartUrlRequest extends WriteUrlRequest {
  readonly partNumber: number;
  readonly uploadId: string;
}

/** The presigner bound to a bucket and credentials, as the object store adapter supplies it. */
export type BucketPresigner = (input: Omit<PresignInput, 'bucket'>) => string;

/**
 * The response overrides a GET of `object` is signed with: for active or unknown content an
 * attachment of type application/octet-stream (whatever was asked); for passive media
 * nothing when shown inline, an attachment named like the file when downloaded.
 */
export function getResponseOverrides(object: Pick<ReadableObject, 'name' | 'contentType'>, delivery: Delivery): Readonly<Record<string, string>> | undefined {
  if (!rendersInline(object.contentType)) {
    return { 'response-content-disposition': attachmentDisposition(object.name), 'response-content-type': ACTIVE_CONTENT_RESPONSE_TYPE };
  }
  return delivery === 'attachment' ? { 'response-content-disposition': attachmentDisposition(object.name) } : undefined;
}

/** Signs the URLs of one bucket with the credentials of the current invocation. */
export class ObjectUrls {
  constructor(private readonly presign: BucketPresigner) {}

  /** A GET of `object`, through the active-content rule: the only way to sign one. */
  get(object: ReadableObject, delivery: Delivery, expiry: UrlExpiry): string {
    const query = getResponseOverrides(object, delivery);
    return this.presign({
      operation: 'GetObject',
      key: object.key,
      expiresIn: expiry.expiresIn,
      ...(expiry.now !== undefined ? { now: expiry.now } : {}),
      ...(query !== undefined ? { query } : {}),
    });
  }

  /** A PUT of a whole object (an upload); its headers are signed. */
  put(request: WriteUrlRequest): string {
    return this.presign({ operation: 'PutObject', ...request });
  }

  /** A PUT of one part of a multipart upload. */
  part(request: PartUrlRequest): string {
    const { partNumber, uploadId, ...rest } = request;
    return this.presign({ operation: 'UploadPart', ...rest, query: { partNumber: String(partNumber), uploadId } });
  }
}
