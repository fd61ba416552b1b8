// `skylab package push`: placeholder until the upload endpoint lands.
export async function pushCommand(_args: string[]): Promise<void> {
  throw new Error('package push is not implemented yet');
}
