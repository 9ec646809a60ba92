/**
 * The server side of RFC 6455 WebSockets on `node:http`'s `upgrade` event,
 * for the FAKE cloud providers: the real plugins' clients (`ws` in Node,
 * aiohttp in Python) connect to it as they would to Deepgram or ElevenLabs.
 * No extensions are negotiated (no permessage-deflate), so every frame is
 * plain; pings are answered with pongs (aiohttp's heartbeat sends them).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Frames larger than this close the connection (1009): nothing the plugins send comes near it. */
const MAX_MESSAGE_BYTES = 16 << 20;

const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export type WebSocketHandlers = Readonly<{
  text?: (data: string) => void;
  binary?: (data: Buffer) => void;
  /** Once, when the connection ends for any reason; `code` is the peer's close code or 1006. */
  close?: (code: number, reason: string) => void;
}>;

/** One accepted connection. */
export class FakeWebSocket {
  readonly #socket: Duplex;
  #handlers: WebSocketHandlers = {};
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentOpcode = 0;
  #closeSent = false;
  #ended = false;

  constructor(socket: Duplex, head: Buffer) {
    this.#socket = socket;
    // Small JSON messages and audio chunks must not wait for Nagle's algorithm.
    if (socket instanceof Socket) socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => this.#end(1006, 'connection lost'));
    socket.on('error', () => this.#end(1006, 'connection error'));
    if (head.length > 0) queueMicrotask(() => this.#receive(head));
  }

  /** Sets what happens on each message and on close. */
  on(handlers: WebSocketHandlers): void {
    this.#handlers = handlers;
  }

  get open(): boolean {
    return !this.#closeSent && !this.#ended;
  }

  sendText(text: string): void {
    this.#send(OP.text, Buffer.from(text, 'utf8'));
  }

  sendJson(value: unknown): void {
    this.sendText(JSON.stringify(value));
  }

  sendBinary(data: Buffer): void {
    this.#send(OP.binary, data);
  }

  /** Sends a close frame and ends the TCP connection shortly after. */
  close(code = 1000, reason = ''): void {
    if (this.#closeSent || this.#ended) return;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.#send(OP.close, body);
    this.#closeSent = true;
    // The peer answers with its own close frame; do not wait for a silent one.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  /** Drops the TCP connection without a close frame (the peer sees 1006). */
  destroy(): void {
    this.#socket.destroy();
  }

  #send(opcode: number, payload: Buffer): void {
    if (this.#closeSent || this.#ended || this.#socket.destroyed) return;
    const length = payload.length;
    const head =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 0x10000
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
    this.#socket.write(Buffer.concat([head, payload]));
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const frame = parseFrame(this.#buffer);
      if (frame === 'incomplete') return;
      if (frame === 'too-large') {
        this.close(1009, 'message too big');
        return;
      }
      this.#buffer = this.#buffer.subarray(frame.size);
      this.#frame(frame.fin, frame.opcode, frame.payload);
      if (this.#ended) return;
    }
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP.ping) return this.#send(OP.pong, payload);
    if (opcode === OP.pong) return;
    if (opcode === OP.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.subarray(2).toString('utf8');
      if (!this.#closeSent) this.close(code === 1005 ? 1000 : code);
      this.#socket.end();
      this.#end(code, reason);
      return;
    }
    if (opcode !== OP.continuation) {
      this.#fragmentOpcode = opcode;
      this.#fragments = [];
    }
    this.#fragments.push(payload);
    if (!fin) return;
    const message = Buffer.concat(this.#fragments);
    this.#fragments = [];
    if (this.#closeSent) return;
    if (this.#fragmentOpcode === OP.text) this.#handlers.text?.(message.toString('utf8'));
    else if (this.#fragmentOpcode === OP.binary) this.#handlers.binary?.(message);
  }

  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers.close?.(code, reason);
  }
}

type Frame = Readonly<{ fin: boolean; opcode: number; payload: Buffer; size: number }>;

function parseFrame(buf: Buffer): Frame | 'incomplete' | 'too-large' {
  if (buf.length < 2) return 'incomplete';
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return 'incomplete';
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return 'incomplete';
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE_BYTES)) return 'too-large';
    length = Number(big);
    offset = 10;
  }
  if (length > MAX_MESSAGE_BYTES) return 'too-large';
  const masked = (b1 & 0x80) !== 0;
  const maskAt = offset;
  if (masked) offset += 4;
  if (buf.length < offset + length) return 'incomplete';
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskAt + (i % 4)]!;
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload, size: offset + length };
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}

/**
 * Completes the opening handshake of an `upgrade` request and returns the connection.
 *
 * @example
 * server.on('upgrade', (req, socket, head) => {
 *   const ws = acceptWebSocket(req, socket, head);
 *   ws.on({ text: (t) => ws.sendText(t) });
 * });
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): FakeWebSocket {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    rejectUpgrade(socket, 400, 'not a WebSocket upgrade');
    throw new Error('FAKE: not a WebSocket upgrade request');
  }
  const accept = createHash('sha1')
    .update(key + HANDSHAKE_GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new FakeWebSocket(socket, head);
}

/**
 * Answers an `upgrade` request with an HTTP error instead of switching
 * protocols, as a provider refusing a connection does.
 *
 * @example
 * rejectUpgrade(socket, 503, 'FAKE Deepgram outage');
 */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ err_code: 'FAKE_REFUSED', err_msg: message });
  socket.end(
    `HTTP/1.1 ${status} FAKE refused\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
