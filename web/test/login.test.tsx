import { render, screen } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { Login } from '../src/components/Login';
import { initialState, store } from '../src/store';

const provider = { name: 'login.example.com', signInPath: '/auth/oidc/start', endSessionUrl: 'https://login.example.com/logout' };

beforeEach(() => {
  store.update({ ...initialState, user: null });
});

describe('Login', () => {
  it('offers "Sign in with …" beside the password form when an identity provider is configured', () => {
    render(<Login options={{ localLogin: true, provider }} />);
    const link = screen.getByRole('link', { name: 'Sign in with login.example.com' });
    expect(link.getAttribute('href')).toBe(`/api/auth/oidc/start?origin=${encodeURIComponent(location.origin)}`);
    expect(screen.getByLabelText('Password')).not.toBeNull();
  });

  it('shows only "Sign in with …" when password login is off: no username or password field', () => {
    render(<Login options={{ localLogin: false, provider }} />);
    expect(screen.getByRole('link', { name: 'Sign in with login.example.com' })).not.toBeNull();
    expect(screen.queryByLabelText('Password')).toBeNull();
    expect(screen.queryByLabelText('Username')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Log in' })).toBeNull();
  });

  it('shows the password form alone without a provider', () => {
    render(<Login options={{ localLogin: true, provider: null }} />);
    expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull();
    expect(screen.getByLabelText('Password')).not.toBeNull();
  });
});
