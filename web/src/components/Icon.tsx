/** A file's type as a small inline SVG (no icon font, nothing fetched). */
import type { FileType } from '../../../contract/wire';

const PATHS: Record<FileType | 'folder', string> = {
  image: 'M4 5h16v14H4z M7 15l3-4 3 3 2-2 3 3 M9 9.5a1.5 1.5 0 1 0 0.01 0',
  video: 'M4 6h12v12H4z M16 10l4-2v8l-4-2',
  other: 'M6 3h8l4 4v14H6z M14 3v4h4',
  folder: 'M3 6h6l2 2h10v11H3z',
};

export function Icon({ type, size = 48 }: { readonly type: FileType | 'folder'; readonly size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[type]} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
}
