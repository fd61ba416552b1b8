// Asks the person at the terminal for a line or for a password (not echoed). Prompts go to
// stderr, so a command's stdout stays its own output.
import { createInterface } from 'node:readline/promises';

/** Ctrl-C at a prompt. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const abort = new AbortController();
  rl.on('SIGINT', () => abort.abort());
  try {
    return await rl.question(question, { signal: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) throw new Interrupted();
    throw err;
  } finally {
    rl.close();
  }
}

/** Reads a line in raw mode, so nothing is echoed; Backspace works, Ctrl-C interrupts. */
export function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  const wasRaw = input.isRaw;
  // Raw before the prompt shows: typing that follows the prompt at once must not be echoed.
  input.setRawMode(true);
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new Interrupted());
        if (ch === '\u0004' && value === '') return finish(new Interrupted());
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
