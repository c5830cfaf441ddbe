/**
 * The load generator's HTTP/1.1 client: one keep-alive socket, one request at a time, the
 * request written as bytes and the answer read only as far as its status and its body's end.
 * It is what wrk and autocannon do, for the same reason: the machine that runs the bench runs
 * the server it measures, and node:http's client (request objects, header objects, streams)
 * took about half a core at 1,200 requests a second, CPU the server then did not have.
 * Real clients (phones, a store's order system) are not on the server's machine.
 */
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string | number>;
  body?: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Where a response's body ends, from its head; `undefined` while more bytes are needed. */
function bodyEnd(head: string, buffer: Buffer, bodyStart: number): number | undefined {
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buffer.length >= end ? end : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return bodyStart;
  let at = bodyStart;
  for (;;) {
    const line = buffer.indexOf('\r\n', at);
    if (line < 0) return undefined;
    const size = Number.parseInt(buffer.toString('latin1', at, line), 16);
    at = line + 2 + size + 2;
    if (buffer.length < at) return undefined;
    if (size === 0) return at;
  }
}

export class RawHttpConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve(status: number): void; reject(error: Error): void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends one request and resolves its status once the whole answer has arrived. */
  send(request: RawRequest): Promise<number> {
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    const body = request.body ?? '';
    const headers = { host: `${this.host}:${this.port}`, ...request.headers };
    if (body && !('content-length' in headers)) Object.assign(headers, { 'content-length': Buffer.byteLength(body) });
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.open().write(`${request.method} ${request.path} HTTP/1.1\r\n${head}\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.buffer = Buffer.alloc(0);
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    // Only the socket in use fails its request: one closed on purpose has been replaced.
    const lost = (error?: Error) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error ?? new Error('the server closed the connection before it answered'));
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    this.socket = socket;
    return socket;
  }

  private received(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headEnd = this.buffer.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const end = bodyEnd(head, this.buffer, headEnd + HEAD_END.length);
    if (end === undefined) return;
    this.buffer = this.buffer.subarray(end);
    const status = Number(head.slice(9, 12));
    const waiting = this.waiting;
    this.waiting = undefined;
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    waiting?.resolve(status);
  }
}
