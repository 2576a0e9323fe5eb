/** Files from a drop or a picker, each with the folder it goes to (dropped folders keep their tree). */
import { joinPath } from '../actions';

export interface PickedFile {
  readonly file: File;
  readonly folder: string;
}

const dirOf = (relative: string): string => relative.split('/').slice(0, -1).join('/');

function folderFor(base: string, dir: string): string {
  return dir.split('/').filter(Boolean).reduce(joinPath, base);
}

/** `<input type=file webkitdirectory>` gives paths relative to the chosen folder. */
export function fromInput(list: FileList | null, base: string): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ file, folder: folderFor(base, dirOf(file.webkitRelativePath || file.name)) }));
}

interface Entry {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
  file?(ok: (file: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void };
}

async function walk(entry: Entry, folder: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile && entry.file) {
    out.push({ file: await new Promise<File>((ok, fail) => entry.file?.(ok, fail)), folder });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    const sub = joinPath(folder, entry.name);
    // readEntries answers in batches until an empty one.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (!batch.length) break;
      for (const child of batch) await walk(child, sub, out);
    }
  }
}

export async function fromDrop(data: DataTransfer, base: string): Promise<PickedFile[]> {
  const entries = [...data.items]
    .map((item) => (item.webkitGetAsEntry?.() ?? null) as Entry | null)
    .filter((e): e is Entry => e !== null);
  if (!entries.length) return [...data.files].map((file) => ({ file, folder: base }));
  const out: PickedFile[] = [];
  for (const entry of entries) await walk(entry, base, out);
  return out;
}
