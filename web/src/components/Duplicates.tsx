/**
 * Admins: the files stored more than once, by content (`GET /files/duplicates`, issue 22 §2): each
 * group names every copy (folder, name, uploader, date), most bytes to free first. Read-only:
 * which copy to keep is the admin's call (delete from the folder view).
 */
import type { DuplicateList } from '../../../contract/wire';
import * as api from '../api';
import { formatBytes, formatDate } from '../format';
import { AdminReport, type ReportWords } from './AdminReport';
import { uploaderName } from './StorageStats';

const pathOf = (copy: { readonly folder: string; readonly name: string }): string => `${copy.folder === '/' ? '' : copy.folder}/${copy.name}`;

const WORDS: ReportWords = { title: 'Duplicates', again: 'Look again', busy: 'Looking…', failure: 'Could not list the duplicates', loading: 'Looking for files stored more than once…' };

export function Duplicates(props: { readonly load?: () => Promise<DuplicateList> }) {
  return (
    <AdminReport class="duplicates-view" headingId="duplicates-title" words={WORDS} load={props.load ?? api.duplicates}>
      {(list) =>
        list.groups.length === 0 ? (
          <p class="empty">No file is stored more than once.</p>
        ) : (
          <>
            <p class="duplicates-total">
              <strong>{list.groups.length.toLocaleString('en')}</strong> {list.groups.length === 1 ? 'content is' : 'contents are'} stored more than once: <strong>{formatBytes(list.extraBytes)}</strong> in extra copies
              <span class="computed"> · as of {formatDate(list.computedAt)}</span>
            </p>
            {(!list.complete || list.truncated) && <p class="note">Only part of the library is listed (the largest groups, or what could be read in time).</p>}
            <ul class="duplicate-groups">
              {list.groups.map((group) => (
                <li key={group.sha256}>
                  <table class="figures" aria-label={`${group.copies.length} copies of ${group.copies[0]?.name ?? 'a file'}`}>
                    <caption>{group.copies.length} copies of {formatBytes(group.size)} · {formatBytes(group.extraBytes)} extra</caption>
                    <thead>
                      <tr><th scope="col">File</th><th scope="col">Uploaded by</th><th scope="col">Uploaded</th></tr>
                    </thead>
                    <tbody>
                      {group.copies.map((copy) => (
                        <tr key={copy.id}>
                          <th scope="row">{pathOf(copy)}</th>
                          <td>{uploaderName(copy.uploadedBy)}</td>
                          <td>{formatDate(copy.uploadedAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </li>
              ))}
            </ul>
          </>
        )
      }
    </AdminReport>
  );
}
