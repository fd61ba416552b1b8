// What makes a channel label, name, checksum type or GPG key acceptable: Spacewalk's rules,
// so that scripts written against Spacewalk get the same refusals.
import { channelArch } from './arches.js';
import { InvalidArgument, NotFound } from './errors.js';

const LABEL_RE = /^[a-z\d][a-z\d\-._]*$/;
const NAME_RE = /^[a-zA-Z][\w\d\s\-.'()/_]*$/;
const RESERVED = /^(rhn|redhat)/i;
export const CHECKSUM_TYPES = ['sha1', 'sha256', 'sha384', 'sha512'] as const;

export function validateChannelLabel(label: string): void {
  if (label.length < 6 || !LABEL_RE.test(label) || RESERVED.test(label)) {
    throw new InvalidArgument(
      'channel.label',
      `Invalid channel label '${label}': at least 6 characters, starting with a lowercase letter or digit, then lowercase letters, digits, '-', '_' or '.', and not starting with 'rhn' or 'redhat'`,
    );
  }
}

export function validateChannelName(name: string): void {
  if (name.length < 6 || name.length > 256 || !NAME_RE.test(name) || RESERVED.test(name)) {
    throw new InvalidArgument(
      'channel.name',
      `Invalid channel name '${name}': 6 to 256 characters, starting with a letter, then letters, digits, spaces, '-', '_', '.', ''', '(', ')' or '/', and not starting with 'rhn' or 'redhat'`,
    );
  }
}

export function validateChannelArch(archLabel: string): void {
  if (!channelArch(archLabel)) throw new NotFound('arch', archLabel);
}

export function validateChecksumType(label: string): void {
  if (!(CHECKSUM_TYPES as readonly string[]).includes(label)) {
    throw new InvalidArgument('channel.checksum', `Invalid checksum label '${label}': use one of ${CHECKSUM_TYPES.join(', ')}`);
  }
}

export function validateGpgKey(key: { url?: string; id?: string; fingerprint?: string }): void {
  if (key.url && !/^(https?|ftp|file):\/\/\S+$/.test(key.url)) throw new InvalidArgument('channel.gpg_url', `Invalid GPG key URL: ${key.url}`);
  if (key.id && !/^[0-9A-Fa-f]{8}$/.test(key.id)) throw new InvalidArgument('channel.gpg_id', `Invalid GPG key id: ${key.id} (8 hex digits)`);
  if (key.fingerprint && !/^(\s*[0-9A-Fa-f]{4}){10}\s*$/.test(key.fingerprint)) {
    throw new InvalidArgument('channel.gpg_fp', `Invalid GPG fingerprint: ${key.fingerprint} (40 hex digits, in groups of 4)`);
  }
}
