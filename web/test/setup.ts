/** Unmounts what each test rendered (vitest has no globals here, so Testing Library cannot do it itself). */
import { cleanup } from '@testing-library/preact';
import { afterEach } from 'vitest';

afterEach(cleanup);
