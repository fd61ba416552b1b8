// Types for unbzip2-stream (it ships none): a factory of classic "through" streams.
declare module 'unbzip2-stream' {
  import type { Duplex } from 'node:stream';
  export default function unbzip2Stream(): Duplex;
}
