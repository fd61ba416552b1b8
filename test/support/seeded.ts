// Seeded random choices for the randomised tests (mulberry32: tiny, good enough to spread cases);
// a failure reproduces from the seed the test prints or takes from its environment variable.
export interface Seeded {
  rand(): number;
  /** an integer in [0, n) */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function seeded(seed: number): Seeded {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(rand() * n);
  return { rand, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
