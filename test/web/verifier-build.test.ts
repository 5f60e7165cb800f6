/**
 * The web build: web/ type-checks under the browser's libraries (DOM, no Node globals assumed by web/ code;
 * src/ is checked by the main tsconfig), and the built verifier is one self-contained file: no external
 * script, style, image or font, a CSP <meta> whose hashes are those of its inline script and style, and no
 * Node built-in in the bundle.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERIFIER_HTML } from './helpers.js';

const hash = (t: string): string => `'sha256-${createHash('sha256').update(t, 'utf8').digest('base64')}'`;

describe('the web build', () => {
  it('type-checks web/verifier and web/shared with the DOM libraries (web/tsconfig.json)', async () => {
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], { maxBuffer: 16 << 20 }, (_e, stdout) => resolve(stdout));
    });
    const ours = out.split('\n').filter((l) => l.startsWith('web/verifier/') || l.startsWith('web/shared/'));
    expect(ours).toEqual([]);
  }, 120_000);

  it('makes the verifier one self-contained HTML file whose CSP allows exactly its inline code', () => {
    const html = readFileSync(VERIFIER_HTML, 'utf8');
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*rel=["']?stylesheet/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(1);
    expect(styles.length).toBe(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    // Its own script, and WebAssembly compiled (the hashing), nothing else: no 'unsafe-eval', no 'unsafe-inline'.
    expect(csp).toContain(`script-src ${hash(scripts[0]!)} 'wasm-unsafe-eval';`);
    expect(csp).not.toMatch(/'unsafe-(eval|inline)'/);
    expect(csp).toContain(`style-src ${hash(styles[0]!)}`);
    expect(csp).toContain('worker-src blob:');
    expect(csp).not.toMatch(/connect-src/);
    expect(scripts[0]).not.toMatch(/require\(["']node:|from ?["']node:/);
  });
});
