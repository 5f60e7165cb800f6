/**
 * Writing the package's zip with yazl: streaming (the output is a Readable the caller pipes to a file or an
 * HTTP answer; at most WINDOW bytes of entries wait in memory for it), zip64 when needed (yazl switches by
 * itself past 4 GiB or 65,535 entries), deflated, and deterministic: every entry carries the same time,
 * written as the DOS time of Beijing wall-clock time (no extended-timestamp field, whose presence would
 * depend on nothing but whose absence keeps the bytes independent of the writer's time zone), the same mode,
 * in the order added.
 */
import { PassThrough, Readable } from 'node:stream';
import { EventEmitter, once } from 'node:events';
import yazl from 'yazl';

/** Entries added but not yet read by the consumer, at most (a certificate is 0.1–1 MiB). */
const WINDOW = 32 * 1024 * 1024;
/**
 * zlib's fastest level. The package is mostly certificates, whose PDF streams are left uncompressed (so the same
 * receipt gives the same bytes): level 1 deflates them to within 5 % of level 6 (63.4 against 60.4 KB for a
 * 115.7 KB certificate) at two thirds of the CPU, and deflate shares the two cores with the certificate workers
 * (a 10,000-receipt package on the idle 2-core box: 78.7 s at zlib's default level 6, 68.2 s at 1).
 */
const DEFLATE_LEVEL = 1;
const BEIJING_MS = 8 * 3600_000;

/** A Date whose local fields read as Beijing time at `ms` (yazl writes the local fields into the DOS time). */
export function beijingDosDate(ms: number): Date {
  const shifted = ms + BEIJING_MS;
  // The local offset at the shifted instant itself (it may differ from that at `ms` across a DST change).
  const probe = new Date(shifted);
  return new Date(shifted + probe.getTimezoneOffset() * 60_000);
}

export class PackageZipWriter {
  /** The zip's bytes, as they are made. */
  readonly stream: Readable;
  private readonly zip = new yazl.ZipFile();
  private readonly mtime: Date;
  /** Bytes of entries added whose data yazl has not yet started to write. */
  private pending = 0;
  private readonly events = new EventEmitter();
  private failed: Error | undefined;

  /** `time`: the package's date (ms since the epoch), every entry's timestamp. */
  constructor(time: number) {
    this.mtime = beijingDosDate(time);
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    this.zip.on('error', (e: Error) => this.fail(e));
    (this.zip.outputStream as Readable).on('error', (e: Error) => this.fail(e)).pipe(out);
    out.on('error', (e: Error) => this.fail(e));
    out.on('close', () => {
      if (!out.readableEnded) this.fail(new Error('the package stream was closed before its end'));
    });
    this.stream = out;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.events.emit('progress');
    if (!this.stream.destroyed) this.stream.destroy(e);
  }

  /**
   * Adds one file. yazl writes entries one after the other, asking for each one's data only when its turn
   * comes (and the consumer has read what came before): this waits while more than WINDOW bytes are queued.
   */
  async add(name: string, bytes: Uint8Array, compress = true): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    const size = bytes.byteLength;
    this.pending += size;
    // yazl keeps every entry, and with it this callback, until the central directory is written: the bytes are
    // held in a slot the callback empties, or every file of the package would stay in memory to the end.
    const slot: { bytes?: Buffer } = { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    this.zip.addReadStreamLazy(name, { mtime: this.mtime, mode: 0o100644, compressionLevel: compress ? DEFLATE_LEVEL : 0, forceDosTimestamp: true, size }, (cb) => {
      const data = slot.bytes!;
      delete slot.bytes;
      this.pending -= size;
      this.events.emit('progress');
      cb(null, Readable.from(size === 0 ? [] : [data], { objectMode: false }));
    });
    while (this.failed === undefined && this.pending > WINDOW) await once(this.events, 'progress');
    if (this.failed !== undefined) throw this.failed;
  }

  /** No more entries: the central directory is written and the stream ends. */
  end(): void {
    this.zip.end();
  }
}
