import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/**
 * A text message framed once for every recipient. Fan-out writes the same `wire` bytes (WebSocket
 * header + payload, built by ws's own `Sender.frame`) to each subscriber's socket, so a publication
 * costs one encode and one frame per channel, not one per subscriber.
 */
export interface PreparedFrame {
  /** The message itself (what a fallback `ws.send` sends). */
  readonly payload: Buffer;
  /** The complete unmasked server frame: FIN + text opcode, length, payload. */
  readonly wire: Buffer;
}

interface FrameOptions {
  readonly fin: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
  readonly rsv1: boolean;
}

// `Sender` is exported by ws (CommonJS and ESM) but not declared by @types/ws.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender;
const OPEN = 1;
const TEXT_FRAME: FrameOptions = { fin: true, opcode: 0x1, mask: false, readOnly: false, rsv1: false };

/** Frames a text message once. */
export function prepareTextFrame(text: string): PreparedFrame {
  const payload = Buffer.from(text);
  const parts = Sender.frame(payload, TEXT_FRAME);
  return { payload, wire: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

/** The slice of ws's per-socket sender that writes ready frames (not in its type declarations). */
export interface FrameWriter {
  sendFrame(list: Buffer[]): void;
}

/**
 * The socket's own frame writer when prepared frames can go through it: without extensions (Keygate
 * turns per-message deflate off) ws's sender never queues, so a frame written there stays in order
 * with every other send. Null with an extension, or a ws without that method. Asked once per socket:
 * the extensions are fixed by the handshake, and `ws.extensions` builds a string on every read.
 */
export function rawFrameWriter(ws: WebSocket): FrameWriter | null {
  const writer = (ws as unknown as { _sender?: Partial<FrameWriter> })._sender;
  return ws.extensions === '' && typeof writer?.sendFrame === 'function' ? (writer as FrameWriter) : null;
}

/** Writes a prepared frame to an open socket, through `writer` (see rawFrameWriter) or a normal send. */
export function sendPreparedFrame(ws: WebSocket, frame: PreparedFrame, writer: FrameWriter | null = rawFrameWriter(ws)): void {
  if (ws.readyState !== OPEN) return;
  if (writer) writer.sendFrame([frame.wire]);
  else ws.send(frame.payload, { binary: false });
}
