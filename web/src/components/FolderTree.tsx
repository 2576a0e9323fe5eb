/** The folder tree: expandable, loaded level by level; the current folder marked. */
import type { FolderRef } from '../../../contract/wire';

export interface FolderTreeProps {
  readonly folders: Readonly<Record<string, readonly FolderRef[]>>;
  readonly expanded: readonly string[];
  readonly current: string;
  readonly onOpen: (path: string) => void;
  readonly onToggle: (path: string) => void;
}

function Branch({ path, name, props }: { readonly path: string; readonly name: string; readonly props: FolderTreeProps }) {
  const open = props.expanded.includes(path);
  const children = props.folders[path];
  return (
    <li>
      <div class="tree-row">
        <button type="button" class="toggle" onClick={() => props.onToggle(path)} aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`}>
          {open ? '▾' : '▸'}
        </button>
        <button type="button" class="folder" onClick={() => props.onOpen(path)} aria-current={props.current === path ? 'page' : undefined}>{name}</button>
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

export function Breadcrumbs({ path, onOpen }: { readonly path: string; readonly onOpen: (path: string) => void }) {
  const segments = path.split('/').filter(Boolean);
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <ol>
        <li><button type="button" onClick={() => onOpen('/')} aria-current={segments.length === 0 ? 'page' : undefined}>Home</button></li>
        {segments.map((segment, i) => {
          const target = `/${segments.slice(0, i + 1).join('/')}`;
          return <li key={target}><button type="button" onClick={() => onOpen(target)} aria-current={i === segments.length - 1 ? 'page' : undefined}>{segment}</button></li>;
        })}
      </ol>
    </nav>
  );
}
