/** The API's answers the CLI reads: the one declaration is contract/wire.ts. */
import type { FileItem } from '../contract/wire';

export type { CreatedUpload, FilePage, HeldPart, MultipartUpload, SignedPart, SignedParts, SingleUpload, UploadStatus } from '../contract/wire';

/** A file as the CLI reads it: the wire's file, of which only identity and size are relied on. */
export type FileInfo = Pick<FileItem, 'id' | 'folder' | 'name' | 'size'> & Partial<Omit<FileItem, 'id' | 'folder' | 'name' | 'size'>>;
