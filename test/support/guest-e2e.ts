// Runs test/support/guest_e2e.py, a whole guest (rhnreg_ks, rhn_check, dnf-plugin-spacewalk with
// python3-dnf in a throwaway installroot), one batch of steps per Python process; the guest's
// disk (systemid, login, dnf cache, installroot) stays in its state directory between batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfilePackage as StoredProfilePackage } from '../../client-shim/index.js';
import { RHNLIB_HEADERS } from './guest-client.js';
import { pythonFileJson } from './python.js';

const SCRIPT = fileURLToPath(new URL('./guest_e2e.py', import.meta.url));

export interface StepResult<T = unknown> {
  op: string;
  result?: T;
  /** set when the step raised; `fault` is the XML-RPC fault code when that was the cause */
  error?: string;
  fault?: number;
  trace?: string;
  /** the /XMLRPC methods the step sent, in order */
  calls: string[];
}

/** A package as rhn-client-tools reports it (registration.add_packages / update_packages): always with an install time. */
export type ProfilePackage = Omit<StoredProfilePackage, 'installtime'> & { installtime: number };

export interface GetAnswer {
  status: number;
  headers: [string, string][];
  length: number;
  sha256: string;
  /** the body starts like an SQLite database file */
  sqlite: boolean;
  faultCode: string | null;
  faultString: string | null;
}

export interface Guest {
  state: string;
  run(steps: Record<string, unknown>[]): Promise<StepResult[]>;
  /** one step; throws with the Python trace when it failed */
  step<T = unknown>(step: Record<string, unknown>): Promise<StepResult<T>>;
  remove(): Promise<void>;
}

export async function newGuest(url: string, headers: Record<string, string> = { ...RHNLIB_HEADERS }): Promise<Guest> {
  const state = await mkdtemp(join(tmpdir(), 'skylab-guest-'));
  const run = (steps: Record<string, unknown>[]): Promise<StepResult[]> =>
    pythonFileJson<StepResult[]>(SCRIPT, { url, state, headers, steps }, { ...process.env, LC_ALL: 'C.UTF-8' });
  return {
    state,
    run,
    async step<T>(step: Record<string, unknown>) {
      const [r] = await run([step]);
      if (r!.error !== undefined) throw new Error(`guest step ${r!.op} failed: ${r!.error}\n${r!.trace ?? ''}`);
      return r as StepResult<T>;
    },
    remove: () => rm(state, { recursive: true, force: true }),
  };
}
