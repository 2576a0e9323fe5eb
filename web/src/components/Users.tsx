/** Admins: the users, adding one (its generated password shown once), role, folder limits, password reset, removal. */
import { useEffect, useState } from 'preact/hooks';
import type { Role, UserView } from '../../../contract/wire';
import * as api from '../api';
import { notify, showError } from '../actions';

const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];
const parseFolders = (text: string): string[] | null => {
  const folders = text.split(',').map((f) => f.trim()).filter(Boolean);
  return folders.length ? folders : null;
};

/** A password to hand to a user once: 18 random bytes, base64url. */
function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function Users() {
  const [users, setUsers] = useState<readonly UserView[]>([]);
  const [secret, setSecret] = useState<{ username: string; password: string }>();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [folders, setFolders] = useState('');

  const reload = (): Promise<void> => api.listUsers().then((r) => setUsers(r.users)).catch((e: unknown) => showError(e, 'list users'));
  useEffect(() => void reload(), []);

  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    try {
      const limits = parseFolders(folders);
      const answer = await api.createUser({ username: name, role, ...(limits ? { folders: limits } : {}) });
      if (answer.password) setSecret({ username: name, password: answer.password });
      setName('');
      setFolders('');
      await reload();
    } catch (error) {
      showError(error, `add ${name}`);
    }
  };
  const changeOf = async (user: UserView, change: Parameters<typeof api.changeUser>[1], doing: string): Promise<void> => {
    try {
      await api.changeUser(user.username, change);
      await reload();
      notify(`${user.username}: ${doing}`);
    } catch (error) {
      showError(error, `change ${user.username}`);
    }
  };
  const reset = async (user: UserView): Promise<void> => {
    const password = generatePassword();
    await changeOf(user, { password }, 'password reset');
    setSecret({ username: user.username, password });
  };
  const remove = async (user: UserView): Promise<void> => {
    if (!window.confirm(`Remove ${user.username}?`)) return;
    try {
      await api.deleteUser(user.username);
      await reload();
    } catch (error) {
      showError(error, `remove ${user.username}`);
    }
  };

  return (
    <section class="users" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {secret && (
        <div class="secret" role="status">
          <p>Password of <strong>{secret.username}</strong>, shown only this once:</p>
          <code>{secret.password}</code>
          <button type="button" onClick={() => setSecret(undefined)}>I have saved it</button>
        </div>
      )}
      <form class="add-user" onSubmit={add}>
        <label>Username<input value={name} required onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>Role<select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <label>Folder limits (comma-separated, empty: all)<input value={folders} onInput={(e) => setFolders(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">Add user</button>
      </form>
      <table>
        <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Folders</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.username}>
              <th scope="row">{user.username}</th>
              <td>
                <select aria-label={`Role of ${user.username}`} value={user.role} onChange={(e) => void changeOf(user, { role: e.currentTarget.value as Role }, `role ${e.currentTarget.value}`)}>
                  {ROLES.map((r) => <option key={r}>{r}</option>)}
                </select>
              </td>
              <td>
                <input
                  aria-label={`Folder limits of ${user.username}`}
                  defaultValue={user.folders?.join(', ') ?? ''}
                  placeholder="all folders"
                  onChange={(e) => void changeOf(user, { folders: parseFolders(e.currentTarget.value) }, 'folder limits changed')}
                />
              </td>
              <td>
                <button type="button" onClick={() => void reset(user)}>Reset password</button>
                <button type="button" class="danger" onClick={() => void remove(user)}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
