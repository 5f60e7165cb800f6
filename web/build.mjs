#!/usr/bin/env node
/**
 * Builds every browser app of web/ into one self-contained HTML file: `web/<app>/main.ts` (and its CSS
 * imports), with `web/<app>/index.html` as the template, into `dist/web/<app>.html`. Everything is inline —
 * no external asset — so the file works from file:// with the network off. An optional `web/<app>/worker.ts`
 * is bundled on its own and handed to main.ts as the string `__WORKER_SOURCE__` (null without one), to start
 * as a Blob worker (web/shared/hash-client.ts does).
 *
 * The template's placeholders: `{{script}}` (inside <script>), `{{style}}` (inside <style>), and in its CSP
 * <meta>, `{{script-hash}}` / `{{style-hash}}`, replaced by the CSP sources `'sha256-…'` of exactly those
 * inline blocks. The server sends the same CSP as a header (src/http/routes/verify-page.ts reads the meta).
 *
 * The pure core is bundled for the browser: src/crypto/hash.ts and ed25519.ts (node:crypto) are replaced by
 * their *-portable.ts twins, sm2.ts's `node:crypto` by node-crypto-portable.ts (HMAC-SM3, random bytes);
 * any other Node built-in reached from an app is a build error naming who imported it.
 *
 *   node web/build.mjs            build every app, print each bundle's size
 *   node web/build.mjs verifier   build only the apps named
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const outDir = join(root, 'dist', 'web');

/** Files of the core whose backend is node:crypto, and the portable file each becomes in the browser. */
const PORTABLE = new Map([
  [join(root, 'src/crypto/hash.ts'), join(root, 'src/crypto/hash-portable.ts')],
  [join(root, 'src/crypto/ed25519.ts'), join(root, 'src/crypto/ed25519-portable.ts')],
]);
/** Files allowed to import node:crypto in the browser, and what it resolves to there. */
const NODE_CRYPTO_SHIM = new Map([[join(root, 'src/crypto/sm2.ts'), join(root, 'src/crypto/node-crypto-portable.ts')]]);

const NODE_BUILTINS = new Set(['assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'stream', 'tls', 'url', 'util', 'worker_threads', 'zlib']);

/** @type {import('esbuild').Plugin} */
const portable = {
  name: 'cunzheng-portable',
  setup(b) {
    // A relative import of a node:crypto backend: resolve it to its portable twin.
    b.onResolve({ filter: /^\.\.?\/.*(hash|ed25519)\.js$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const twin = PORTABLE.get(target);
      return twin === undefined ? undefined : { path: twin };
    });
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !NODE_BUILTINS.has(name)) return undefined;
      const shim = name === 'crypto' ? NODE_CRYPTO_SHIM.get(args.importer) : undefined;
      if (shim !== undefined) return { path: shim };
      return { errors: [{ text: `${args.path} is not available in the browser (imported by ${relative(root, args.importer)}): the bundle may reach only the pure core` }] };
    });
  },
};

const common = {
  bundle: true,
  write: false,
  minify: true,
  legalComments: 'none',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  platform: 'browser',
  charset: 'utf8',
  logLevel: 'warning',
  plugins: [portable],
};

/** The text of an output file of esbuild whose path ends with `ext`, or ''. */
function output(result, ext) {
  return result.outputFiles.filter((f) => f.path.endsWith(ext)).map((f) => f.text).join('\n');
}

/** Inline script text must never close its own <script> element. */
function inlineSafe(js) {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function cspHash(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function replaceOnce(html, marker, value, app) {
  const at = html.indexOf(marker);
  if (at < 0 || html.indexOf(marker, at + marker.length) >= 0) throw new Error(`web/${app}/index.html must hold ${marker} exactly once`);
  return html.slice(0, at) + value + html.slice(at + marker.length);
}

async function buildApp(app) {
  const dir = join(webDir, app);
  let workerSource = 'null';
  if (existsSync(join(dir, 'worker.ts'))) {
    const w = await build({ ...common, entryPoints: [join(dir, 'worker.ts')], format: 'iife', outdir: join(outDir, 'tmp') });
    workerSource = JSON.stringify(output(w, '.js'));
  }
  const main = await build({
    ...common,
    entryPoints: [join(dir, 'main.ts')],
    format: 'iife',
    outdir: join(outDir, 'tmp'),
    define: { __WORKER_SOURCE__: workerSource },
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
  });
  const script = inlineSafe(output(main, '.js'));
  const style = output(main, '.css').replace(/<\/(style)/gi, '<\\/$1');
  let html = readFileSync(join(dir, 'index.html'), 'utf8');
  // Hashes first (the markers sit in the <head>), then the blocks, so a bundle that happens to contain a
  // marker's text cannot be rewritten.
  html = replaceOnce(html, '{{script-hash}}', cspHash(script), app);
  html = replaceOnce(html, '{{style-hash}}', cspHash(style), app);
  html = replaceOnce(html, '{{style}}', style, app);
  html = replaceOnce(html, '{{script}}', script, app);
  const file = join(outDir, `${app}.html`);
  writeFileSync(file, html);
  const bytes = Buffer.byteLength(html);
  const workerBytes = workerSource === 'null' ? 0 : Buffer.byteLength(JSON.parse(workerSource));
  console.log(`web: dist/web/${app}.html ${(bytes / 1024).toFixed(1)} KiB (script ${(Buffer.byteLength(script) / 1024).toFixed(1)} KiB, of it worker ${(workerBytes / 1024).toFixed(1)} KiB; style ${(Buffer.byteLength(style) / 1024).toFixed(1)} KiB)`);
}

const named = process.argv.slice(2);
const apps = readdirSync(webDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(webDir, d.name, 'main.ts')) && existsSync(join(webDir, d.name, 'index.html')))
  .map((d) => d.name)
  .filter((a) => named.length === 0 || named.includes(a))
  .sort();
for (const a of named) if (!apps.includes(a)) throw new Error(`no app web/${a} (main.ts and index.html)`);
mkdirSync(outDir, { recursive: true });
for (const app of apps) await buildApp(app);
