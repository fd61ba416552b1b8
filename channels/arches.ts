// Channel architectures as Spacewalk names them, and which package arches each accepts
// (Spacewalk's channel/package arch compatibility, trimmed to arches still seen in the wild).

export interface ChannelArch {
  label: string;
  name: string;
  packageArches: readonly string[];
}

const IA32 = ['i386', 'i486', 'i586', 'i686', 'athlon'];

export const CHANNEL_ARCHES: readonly ChannelArch[] = [
  { label: 'channel-aarch64', name: 'AArch64', packageArches: ['aarch64', 'noarch'] },
  { label: 'channel-alpha', name: 'Alpha', packageArches: ['alpha', 'alphaev6', 'noarch'] },
  { label: 'channel-arm', name: 'ARM soft. FP', packageArches: ['armv5tel', 'armv6l', 'armv7l', 'noarch'] },
  { label: 'channel-armhfp', name: 'ARM hard. FP', packageArches: ['armv6hl', 'armv7hl', 'armv7hnl', 'noarch'] },
  { label: 'channel-ia32', name: 'IA-32', packageArches: [...IA32, 'noarch'] },
  { label: 'channel-ia64', name: 'IA-64', packageArches: ['ia64', ...IA32, 'noarch'] },
  { label: 'channel-ppc', name: 'PPC', packageArches: ['ppc', 'ppc64', 'ppc64iseries', 'ppc64pseries', 'noarch'] },
  { label: 'channel-ppc64le', name: 'PPC64LE', packageArches: ['ppc64le', 'noarch'] },
  { label: 'channel-s390', name: 's390', packageArches: ['s390', 'noarch'] },
  { label: 'channel-s390x', name: 's390x', packageArches: ['s390x', 's390', 'noarch'] },
  { label: 'channel-sparc', name: 'Sparc', packageArches: ['sparc', 'sparcv9', 'sparc64', 'noarch'] },
  { label: 'channel-x86_64', name: 'x86_64', packageArches: ['x86_64', 'amd64', 'ia32e', ...IA32, 'noarch'] },
];

const BY_LABEL = new Map(CHANNEL_ARCHES.map((a) => [a.label, a]));

export function channelArch(label: string): ChannelArch | undefined {
  return BY_LABEL.get(label);
}

/** Whether a channel of this arch may hold a package of that arch. */
export function archAccepts(channelArchLabel: string, packageArch: string): boolean {
  const arch = BY_LABEL.get(channelArchLabel);
  return arch ? arch.packageArches.includes(packageArch) : false;
}

/** The channel arch whose primary package arch is `arch` (e.g. x86_64 -> channel-x86_64). */
export function channelArchForPackageArch(arch: string): ChannelArch | undefined {
  if (IA32.includes(arch)) return BY_LABEL.get('channel-ia32');
  return CHANNEL_ARCHES.find((a) => a.packageArches[0] === arch);
}
