// Remembers the TLS errors of undici's sockets. A server that refuses a connection with a TLS
// alert after the handshake (TLS 1.3 "certificate required") reaches undici's callers as a bare
// "other side closed"; the alert itself is only ever emitted on the socket.
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_)/;
const KEEP_MS = 10_000;
const recent = new Map<string, Error>();
let watching = false;

const keyOf = (address: unknown, port: unknown): string => `${String(address)}:${String(port)}`;

/** Starts watching (once per process) the sockets undici connects. */
export function watchTlsAlerts(): void {
  if (watching) return;
  watching = true;
  subscribe('undici:client:connected', (message) => {
    const socket = (message as { socket?: Socket & { encrypted?: boolean } }).socket;
    if (!socket?.encrypted) return;
    const key = keyOf(socket.localAddress, socket.localPort);
    socket.once('error', (e: Error & { code?: string }) => {
      if (!TLS_CODE.test(e.code ?? '')) return;
      recent.set(key, e);
      setTimeout(() => recent.delete(key), KEEP_MS).unref();
    });
  });
}

/** The TLS error behind an undici socket error, when its socket had one. */
export function tlsCauseOf(err: unknown): Error | undefined {
  const info = (err as { socket?: { localAddress?: unknown; localPort?: unknown } }).socket;
  return info ? recent.get(keyOf(info.localAddress, info.localPort)) : undefined;
}
