// The garbage collector for tests that measure what stays alive. --expose-gc set at run time does
// not add gc() to a context that already exists, so it is read from a new one.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Collect = (options?: { type: 'minor' | 'major' }) => void;

export function exposeGc(): Collect {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Collect;
}
