/** What Vite replaces at build time (the part of vite/client the app reads). */
interface ImportMetaEnv {
  /** True in `vite build` (npm run build), false in the dev server and the component tests. */
  readonly PROD: boolean;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
