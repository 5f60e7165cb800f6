/**
 * An HTTP/1.1 request written by hand on a socket, for tests that need to hold a body half-sent, send
 * headers without their body, or stream chunks: `response` settles as soon as one whole response arrived
 * (headers and Content-Length worth of body), whatever the request is still doing; it rejects when the
 * connection closes first, or after `timeoutMs` without one.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawRequest {
  readonly socket: Socket;
  readonly response: Promise<RawResponse>;
  /** True once the server closed the connection (or it failed). */
  closed = false;
  private readonly chunks: Buffer[] = [];

  constructor(port: number, head: string, timeoutMs = 10_000) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.on('error', () => undefined);
    this.response = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no whole response within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.socket.on('data', (c: Buffer) => {
        this.chunks.push(c);
        const r = this.parse();
        if (r !== undefined) {
          clearTimeout(timer);
          resolve(r);
        }
      });
      this.socket.on('close', () => {
        this.closed = true;
        reject(new Error(`connection closed without a whole response: ${JSON.stringify(Buffer.concat(this.chunks).toString('latin1').slice(0, 200))}`));
      });
    });
    this.response.catch(() => undefined);
    this.socket.write(head);
  }

  /** A request head: `POST /path`, with these headers, for a body of `contentLength` bytes or chunked. */
  static head(target: string, headers: Record<string, string>, contentLength: number | 'chunked'): string {
    const lines = [`${target} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    lines.push(contentLength === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${contentLength}`);
    return lines.join('\r\n') + '\r\n\r\n';
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** One chunk of a chunked body (an empty one ends it). */
  chunk(data: Buffer): Promise<void> {
    return this.write(Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): RawResponse | undefined {
    const all = Buffer.concat(this.chunks);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (all.length < end + 4 + length) return undefined;
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1]), headers, body: all.subarray(end + 4, end + 4 + length).toString('utf8') };
  }
}
