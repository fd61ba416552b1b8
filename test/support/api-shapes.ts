// What admin-api.md (§1.6 types and string dates, §2.3 structs, §2.4 method tables) says each
// answer looks like, written once, and a checker for answers decoded by test/support/replay.py.
import { beanify, type Reply, type Wire } from './replay.js';

export type Scalar = 'int' | 'string' | 'boolean' | 'dateTime' | 'double';

export interface Field {
  type: Scalar | 'string[]' | 'int[]';
  /** `?` in §2.3: left out when null */
  optional?: boolean;
  /** layout of a string (dates that are strings, decimal sizes) */
  format?: RegExp;
  /** Not in admin-api.md: a field Skylab adds on purpose (the reason is kept with it). */
  extension?: string;
}
export type Struct = Readonly<Record<string, Field>>;
export type Shape = { scalar: Scalar; format?: RegExp } | { arrayOf: Scalar } | { struct: Struct } | { structs: Struct };

// §1.6: string-typed dates come in three layouts; dateTime values in one.
export const SQL_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+$/;
export const SHORT_DATE = /^\d{1,2}\/\d{1,2}\/\d{2}$/;
export const DATETIME = /^\d{8}T\d{2}:\d{2}:\d{2}$/;
export const DECIMAL = /^\d+$/;
export const SESSION_KEY = /^[1-9][0-9]*x[a-f0-9]{64}$/;

const S: Field = { type: 'string' };
const I: Field = { type: 'int' };
const D: Field = { type: 'dateTime' };
const fmt = (format: RegExp): Field => ({ type: 'string', format });
const opt = (f: Field): Field => ({ ...f, optional: true });

/** §2.3 and the inline structs of §2.4, by the names the doc gives them. */
export const STRUCTS = {
  ChannelTreeNode: { id: I, label: S, name: S, provider_name: S, packages: I, systems: I, arch_name: S },
  SoftwareChannel: { label: S, name: S, parent_label: S, end_of_life: S, arch: S },
  PackageDto: {
    name: S, version: S, release: S, epoch: S, checksum: S, checksum_type: S, id: I, arch_label: S,
    last_modified_date: fmt(SQL_DATE), last_modified: fmt(SQL_DATE),
  },
  LatestPackage: { name: S, version: S, release: S, epoch: S, id: I, arch_label: S },
  PackageDetails: {
    id: I, name: S, epoch: S, version: S, release: S, arch_label: S, providing_channels: { type: 'string[]' },
    build_host: S, description: S, checksum: S, checksum_type: S, vendor: S, summary: S, cookie: S, license: S, path: S,
    file: S, build_date: fmt(TIMESTAMP), last_modified_date: fmt(TIMESTAMP), size: fmt(DECIMAL), payload_size: fmt(DECIMAL),
  },
  ProvidingChannel: { label: S, parent_label: S, name: S },
  /** channel.software.listErrata(sk, label): SQL TO_CHAR dates. */
  ChannelErratum: {
    id: I, advisory_name: S, advisory: S, advisory_synopsis: S, synopsis: S, advisory_type: S,
    issue_date: fmt(SQL_DATE), update_date: fmt(SQL_DATE), last_modified_date: fmt(SQL_DATE),
    date: {
      type: 'string', format: SHORT_DATE,
      extension: "Spacewalk's query has no `date`; spacecmd's errata cache reads it and the 2.10 spacecmd calls .split() on it",
    },
  },
  Errata: { id: I, date: fmt(SHORT_DATE), advisory_synopsis: S, advisory_name: S, advisory_type: S },
  /** errata.getDetails: no advisory_name; short issue/update dates, Timestamp last_modified_date. */
  ErrataDetails: {
    id: I, issue_date: fmt(SHORT_DATE), update_date: fmt(SHORT_DATE), last_modified_date: fmt(TIMESTAMP), synopsis: S,
    release: I, type: S, product: S, errataFrom: S, topic: S, description: S, references: S, notes: S, solution: S,
    severity: opt(S),
  },
  UnpublishedErratum: { id: I, published: I, advisory: S, advisory_name: S, advisory_type: S, synopsis: S, created: D, update_date: D },
  ApplicableChannel: { channel_id: I, label: S, name: S, parent_channel_label: S },
  SystemOverview: { id: I, name: S, last_checkin: D, created: opt(D), last_boot: opt(D), extra_pkg_count: opt(I) },
} satisfies Record<string, Struct>;

const string: Shape = { scalar: 'string' };
const int: Shape = { scalar: 'int' };

/**
 * Answer shape per method and arity. Keys are the beanified name and the number of params as
 * sent, session key included (Spacewalk resolves overloads that way, §1.2).
 */
export const RESULTS: Readonly<Record<string, Shape>> = {
  'api.getVersion/0': string,
  'api.systemVersion/0': string,
  'auth.login/2': { scalar: 'string', format: SESSION_KEY },
  'auth.logout/1': int,
  'user.listRoles/2': { arrayOf: 'string' },
  'channel.listAllChannels/1': { structs: STRUCTS.ChannelTreeNode },
  'channel.listSoftwareChannels/1': { structs: STRUCTS.SoftwareChannel },
  'channel.software.listErrata/2': { structs: STRUCTS.ChannelErratum },
  'channel.software.listAllPackages/2': { structs: STRUCTS.PackageDto },
  'channel.software.listLatestPackages/2': { structs: STRUCTS.LatestPackage },
  'packages.getDetails/2': { struct: STRUCTS.PackageDetails },
  'packages.listProvidingChannels/2': { structs: STRUCTS.ProvidingChannel },
  'errata.create/7': { struct: STRUCTS.Errata },
  'errata.setDetails/3': int,
  'errata.publish/3': { struct: STRUCTS.Errata },
  'errata.getDetails/2': { struct: STRUCTS.ErrataDetails },
  'errata.listPackages/2': { structs: STRUCTS.PackageDetails },
  'errata.listAffectedSystems/2': { structs: STRUCTS.SystemOverview },
  'errata.listCves/2': { arrayOf: 'string' },
  'errata.listKeywords/2': { arrayOf: 'string' },
  'errata.listUnpublishedErrata/1': { structs: STRUCTS.UnpublishedErratum },
  'errata.applicableToChannels/2': { structs: STRUCTS.ApplicableChannel },
  'errata.addPackages/3': int,
};

function wireType(v: Wire): string {
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if ('__datetime__' in v) return 'dateTime';
  if ('__double__' in v) return 'double';
  if ('__base64__' in v) return 'base64';
  if ('__nil__' in v) return 'nil';
  return 'struct';
}

function checkScalar(v: Wire, type: Scalar, format: RegExp | undefined, at: string, out: string[]): void {
  const got = wireType(v);
  if (got !== type) return void out.push(`${at}: ${got}, expected ${type}`);
  if (type === 'dateTime' && !DATETIME.test((v as { __datetime__: string }).__datetime__)) out.push(`${at}: dateTime ${JSON.stringify(v)} is not YYYYMMDDTHH:MM:SS`);
  if (format && !format.test(v as string)) out.push(`${at}: ${JSON.stringify(v)} does not match ${format}`);
}

function checkArray(v: Wire, each: (item: Wire, at: string) => void, at: string, out: string[]): void {
  if (!Array.isArray(v)) return void out.push(`${at}: ${wireType(v)}, expected array`);
  v.forEach((item, i) => each(item, `${at}[${i}]`));
}

export function checkStruct(v: Wire, struct: Struct, at: string, out: string[]): void {
  if (wireType(v) !== 'struct') return void out.push(`${at}: ${wireType(v)}, expected struct`);
  const obj = v as Record<string, Wire>;
  for (const key of Object.keys(obj)) if (!(key in struct)) out.push(`${at}: unexpected field ${key}`);
  for (const [key, field] of Object.entries(struct)) {
    const value = obj[key];
    if (value === undefined) {
      if (!field.optional) out.push(`${at}: missing field ${key}`);
      continue;
    }
    if (field.type === 'string[]' || field.type === 'int[]') {
      const itemType = field.type === 'string[]' ? 'string' : 'int';
      checkArray(value, (item, a) => checkScalar(item, itemType, undefined, a, out), `${at}.${key}`, out);
    } else {
      checkScalar(value, field.type, field.format, `${at}.${key}`, out);
    }
  }
}

/** Every way `value` differs from `shape` (empty when it conforms). */
export function checkShape(value: Wire, shape: Shape, at = 'answer'): string[] {
  const out: string[] = [];
  if ('scalar' in shape) checkScalar(value, shape.scalar, shape.format, at, out);
  else if ('arrayOf' in shape) checkArray(value, (item, a) => checkScalar(item, shape.arrayOf, undefined, a, out), at, out);
  else if ('struct' in shape) checkStruct(value, shape.struct, at, out);
  else checkArray(value, (item, a) => checkStruct(item, shape.structs, a, out), at, out);
  return out;
}

/** The table entry for a call as sent (method beanified by the caller), or undefined. */
export function resultShape(beanMethod: string, paramCount: number): Shape | undefined {
  return RESULTS[`${beanMethod}/${paramCount}`];
}

/** §1.6: Spacewalk never sends <i8> or <nil/>; a response body with either is wrong on the wire. */
export function forbiddenWireTypes(xml: string): string[] {
  return ['<i8>', '<nil'].filter((tag) => xml.includes(tag));
}

/** Everything wrong with one replayed answer: a fault, a method the table lacks, a shape mismatch, <i8>/<nil/>. */
export function replyProblems(method: string, paramCount: number, reply: Reply): string[] {
  if (reply.fault) return [`fault ${reply.fault.faultCode}: ${reply.fault.faultString}`];
  const shape = resultShape(beanify(method), paramCount);
  if (!shape) return [`no shape in api-shapes.ts for ${beanify(method)}/${paramCount}`];
  return [...checkShape(reply.answer, shape), ...forbiddenWireTypes(reply.xml).map((tag) => `response body contains ${tag}`)];
}
