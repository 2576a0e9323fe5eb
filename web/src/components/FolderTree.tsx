/**
 * The folder tree: expandable, loaded level by level; the current folder marked. Tree
 * entries and breadcrumbs are drop targets for files dragged from the grid (writers only, and
 * only the folders they may move files to).
 */
import type { FileItem, FolderRef } from '../../../contract/wire';
import { useFolderDrop } from './drag';

/** Files dropped on a folder; absent for users who cannot move files. */
export type DropFiles = (files: readonly FileItem[], folder: string) => void;
/** Whether files may be dropped on (moved to) a folder: a user's folder limits leave some out. */
export type CanDropOn = (folder: string) => boolean;

const dropOn = (path: string, onDropFiles: DropFiles | undefined, canDropOn: CanDropOn | undefined): DropFiles | undefined =>
  onDropFiles && (canDropOn?.(path) ?? true) ? onDropFiles : undefined;

export interface FolderTreeProps {
  readonly folders: Readonly<Record<string, readonly FolderRef[]>>;
  readonly expanded: readonly string[];
  readonly current: string;
  readonly onOpen: (path: string) => void;
  readonly onToggle: (path: string) => void;
  /** Files dropped on a tree entry. @default not a drop target */
  readonly onDropFiles?: DropFiles;
  /** Which entries take a drop. @default every entry (given `onDropFiles`) */
  readonly canDropOn?: CanDropOn;
}

function Branch({ path, name, props }: { readonly path: string; readonly name: string; readonly props: FolderTreeProps }) {
  const open = props.expanded.includes(path);
  const children = props.folders[path];
  const drop = useFolderDrop(path, dropOn(path, props.onDropFiles, props.canDropOn));
  return (
    <li>
      <div class="tree-row">
        <button type="button" class="toggle" onClick={() => props.onToggle(path)} aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`}>
          {open ? '▾' : '▸'}
        </button>
        <button type="button" class={`folder${drop.over ? ' drop-target' : ''}`} onClick={() => props.onOpen(path)} aria-current={props.current === path ? 'page' : undefined} {...drop.props}>{name}</button>
      </div>
      {open && children && children.length > 0 && (
        <ul>{children.map((f) => <Branch key={f.path} path={f.path} name={f.name} props={props} />)}</ul>
      )}
    </li>
  );
}

export function FolderTree(props: FolderTreeProps) {
  return (
    <nav class="tree" aria-label="Folders">
      <ul><Branch path="/" name="All folders" props={props} /></ul>
    </nav>
  );
}

function Crumb({ target, label, current, onOpen, onDropFiles, canDropOn }: { readonly target: string; readonly label: string; readonly current: boolean; readonly onOpen: (path: string) => void; readonly onDropFiles?: DropFiles | undefined; readonly canDropOn?: CanDropOn | undefined }) {
  const drop = useFolderDrop(target, dropOn(target, onDropFiles, canDropOn));
  return (
    <li>
      <button type="button" class={drop.over ? 'drop-target' : undefined} onClick={() => onOpen(target)} aria-current={current ? 'page' : undefined} {...drop.props}>{label}</button>
    </li>
  );
}

export function Breadcrumbs({ path, onOpen, onDropFiles, canDropOn }: { readonly path: string; readonly onOpen: (path: string) => void; readonly onDropFiles?: DropFiles | undefined; readonly canDropOn?: CanDropOn | undefined }) {
  const segments = path.split('/').filter(Boolean);
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <ol>
        <Crumb target="/" label="Home" current={segments.length === 0} onOpen={onOpen} onDropFiles={onDropFiles} canDropOn={canDropOn} />
        {segments.map((segment, i) => {
          const target = `/${segments.slice(0, i + 1).join('/')}`;
          return <Crumb key={target} target={target} label={segment} current={i === segments.length - 1} onOpen={onOpen} onDropFiles={onDropFiles} canDropOn={canDropOn} />;
        })}
      </ol>
    </nav>
  );
}
