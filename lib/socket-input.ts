// A client socket's input without the Readable stream machinery: libuv reads into one buffer
// shared by every connection (net.Socket's `onread` option), and each read is copied out into a
// Buffer of its own size, which the parser may keep (its arguments are views of it).
//
// Node 20's server sockets take no `onread`, so the accepted handle is wrapped in a Socket that
// has one (the accepted Socket is created paused, `pauseOnConnect`, and never reads). A handle
// that cannot be adopted falls back to the 'data' event. Measured on the floor server
// (bench/floor.ts), main thread µs/req against a 'data' handler: SET -P 1 9.90 -> 7.80, GET -P 1
// 7.95 -> 7.60, SET/GET -P 16 1.70 -> 1.55.

import net from 'node:net';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

interface HandleOwner {
  _handle?: unknown;
}

/** A socket for `accepted` whose every read calls `onChunk` with a Buffer the callee may keep. */
export function adoptSocket(accepted: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  const handle = (accepted as unknown as HandleOwner)._handle;
  if (!handle) {
    accepted.on('data', onChunk);
    accepted.resume();
    return accepted;
  }
  const socket = new net.Socket({
    handle,
    allowHalfOpen: accepted.allowHalfOpen,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (n: number, buf: Uint8Array): void => {
        const chunk = Buffer.allocUnsafe(n);
        chunk.set(buf.subarray(0, n));
        onChunk(chunk);
      },
    },
  } as net.SocketConstructorOpts);
  // the accepted Socket no longer owns the handle: closing it must not close the connection
  (accepted as unknown as HandleOwner)._handle = null;
  return socket;
}
