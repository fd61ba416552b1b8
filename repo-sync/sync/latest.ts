// The `latest` sync option: of each (name, arch) only the newest build (rpmvercmp on EVR).
import { compareEvr, type PackageNevra } from '../../channels/index.js';

export function newestOnly<T extends PackageNevra>(pkgs: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const p of pkgs) {
    const key = `${p.name}\u0000${p.arch}`;
    const cur = best.get(key);
    if (!cur || compareEvr(p, cur) > 0) best.set(key, p);
  }
  return pkgs.filter((p) => best.get(`${p.name}\u0000${p.arch}`) === p);
}
