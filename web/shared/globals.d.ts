/** Set by web/build.mjs: the bundled web/<app>/worker.ts as text, or null when the app has none. */
declare const __WORKER_SOURCE__: string | null;
