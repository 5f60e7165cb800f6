/**
 * `cunzheng certificate RECEIPT… [--file DOC] [--out PATH] [--lang zh|en] [--verifier-url URL] [--json]`
 * The 存证证书 of each receipt, offline: PDF/A-3 with the receipt and its tlog-proof attached
 * (src/certificate/README.md). `X.receipt.json` → `X.certificate.pdf` beside it; `--out` names the file for one
 * receipt, or an existing folder for any number. With `--file DOC` the document is hashed here and the
 * certificate says it matches; a file that does not match is refused (CERTIFICATE_DOCUMENT_MISMATCH, exit 1)
 * and no certificate is written. A receipt that does not verify under its own key gets none either (exit 1).
 */
import { closeSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { CertificateLang } from '../../src/certificate/index.js';
import { CunzhengError } from '../../src/errors.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { openUserFile, readUserFile } from '../user-file.js';

export interface CertificateFlags {
  file?: string;
  out?: string;
  lang: string;
  verifierUrl?: string;
  json: boolean;
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Where a receipt's certificate goes (`suffix`: cli/local's RECEIPT_SUFFIX, which loads with the command). */
export function certificatePath(receipt: string, out: string | undefined, many: boolean, suffix: string): string {
  const name = `${receipt.endsWith(suffix) ? basename(receipt).slice(0, -suffix.length) : basename(receipt)}.certificate.pdf`;
  if (out === undefined) return join(dirname(receipt), name);
  if (isDir(out)) return join(out, name);
  if (many) throw new UsageError(`--out ${out}: with several receipts --out must be an existing folder`);
  return out;
}

export async function runCertificate(receipts: string[], flags: CertificateFlags, out: (s: string) => void): Promise<number> {
  if (receipts.length === 0) throw new UsageError('no receipt given: cunzheng certificate RECEIPT…');
  // Imported here, not at start-up: every other command would load the renderer and the receipt's schema.
  const { makeCertificate, CERTIFICATE_LANGS } = await import('../../src/certificate/index.js');
  const { MAX_RECEIPT_BYTES } = await import('../../src/receipt/index.js');
  const { hashFile, RECEIPT_SUFFIX } = await import('../local/index.js');
  if (!CERTIFICATE_LANGS.includes(flags.lang as CertificateLang)) throw new UsageError(`--lang ${flags.lang}: expected zh or en`);
  const lang = flags.lang as CertificateLang;
  if (flags.verifierUrl !== undefined && !/^https?:\/\/[^\s#]{1,1000}$/.test(flags.verifierUrl)) throw new UsageError(`--verifier-url ${flags.verifierUrl}: expected an http(s) URL without a fragment`);
  let digests: { sha256: string; sm3: string } | undefined;
  if (flags.file !== undefined) {
    closeSync(openUserFile(flags.file, '--file').fd);
    try {
      const d = await hashFile(flags.file);
      digests = { sha256: d.sha256, sm3: d.sm3 };
    } catch (e) {
      throw new UsageError(`cannot read --file ${flags.file}: ${(e as Error).message}`);
    }
  }
  const paths = receipts.map((r) => certificatePath(r, flags.out, receipts.length > 1, RECEIPT_SUFFIX));
  const results: { receipt: string; ok: boolean; certificate?: string; id?: string; code?: string; message?: string }[] = [];
  for (const [i, receipt] of receipts.entries()) {
    const bytes = readUserFile(receipt, 'receipt', MAX_RECEIPT_BYTES);
    try {
      const made = await makeCertificate(bytes, {
        lang,
        ...(flags.verifierUrl === undefined ? {} : { verifierUrl: flags.verifierUrl }),
        ...(digests === undefined ? {} : { checkedFile: basename(flags.file!), digests }),
      });
      const path = paths[i]!;
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, made.pdf, { flag: 'wx' });
      renameSync(tmp, path);
      results.push({ receipt, ok: true, certificate: path, id: made.id });
      if (!flags.json) out(`✔ ${receipt}: certificate ${path} (${made.pdf.length} bytes, ${lang})`);
    } catch (e) {
      if (!(e instanceof CunzhengError) || !['CERTIFICATE_DOCUMENT_MISMATCH', 'CERTIFICATE_RECEIPT_INVALID'].includes(e.code)) throw e;
      results.push({ receipt, ok: false, code: e.code, message: e.message });
      if (!flags.json) out(`✘ ${receipt}: ${e.code}: ${e.message}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  if (flags.json) out(JSON.stringify({ ok: failed === 0, made: results.length - failed, failed, results }, null, 2));
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

export function registerCertificateCommand(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  program
    .command('certificate')
    .description('the deposit certificate (存证证书) of each receipt, offline: PDF/A-3, Chinese (or --lang en), the receipt and its tlog-proof attached, deterministic bytes')
    .argument('<receipt...>', 'receipt files (*.receipt.json)')
    .option('--file <doc>', 'the deposited document: hashed here; the certificate states it matches (a file that does not is refused)')
    .option('--out <path>', 'the certificate file (one receipt) or an existing folder (default: X.certificate.pdf beside X.receipt.json)')
    .option('--lang <lang>', 'zh (default) or en', 'zh')
    .option('--verifier-url <url>', "the browser verifier's address for the QR code (default: https://<the log origin's host>/verify)")
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (receipts: string[], flags: CertificateFlags) => {
      setExit(await runCertificate(receipts, flags, stdout));
    });
}
