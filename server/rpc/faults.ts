// The one place /rpc/api turns errors into faults: Spacewalk's codes and texts, with the
// `redstone.xmlrpc.XmlRpcFault: ` prefix clients match on. Unknown errors leak nothing.
import { DomainError, type AlreadyExists, type Conflict, type InvalidArgument, type NotFound, type PermissionDenied, type Role } from '../../channels/index.js';
import { XmlRpcFault } from '../xmlrpc/types.js';

export const FAULT_PREFIX = 'redstone.xmlrpc.XmlRpcFault: ';

export function fault(code: number, message: string): XmlRpcFault {
  return new XmlRpcFault(code, FAULT_PREFIX + message);
}

/** A fault whose text is a raw Java exception (session and dispatch failures before any handler). */
export function rawFault(code: number, text: string): XmlRpcFault {
  return new XmlRpcFault(code, text);
}

export function internalFault(message: string): XmlRpcFault {
  return fault(-1, `unhandled internal exception: ${message}`);
}

export function sessionFault(id: string | number): XmlRpcFault {
  return rawFault(-1, `com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: ${id}`);
}

// Spacewalk words a missing role with its display name (rhnUserGroupType.name), not its label.
const ROLE_NAMES: Record<Role, string> = {
  satellite_admin: 'Satellite Administrator',
  org_admin: 'Organization Administrator',
  channel_admin: 'Channel Administrator',
  config_admin: 'Configuration Administrator',
  system_group_admin: 'System Group Administrator',
  activation_key_admin: 'Activation Key Administrator',
};

/** PermissionCheckFailureException, with or without the role the caller lacks. */
export function permissionFault(role?: string): XmlRpcFault {
  const name = role === undefined ? undefined : ROLE_NAMES[role as Role];
  const base = 'You do not have permissions to perform this action.';
  return fault(-23, name ? `${base} You need to have at least a ${name} role to perform this action` : base);
}

/** Spacewalk's InvalidArgsException: unknown keys in an option struct. */
export function invalidArgs(keys: readonly string[]): XmlRpcFault {
  return fault(2801, `Invalid argument(s): ${keys.join(', ')}`);
}

const NOT_FOUND: Record<string, (e: NotFound) => XmlRpcFault> = {
  channel: (e) => fault(-210, `No such channel: ${e.key}`),
  system: (e) => fault(-208, `No such system - sid = ${e.key}`),
  erratum: (e) =>
    e.foreign ? fault(-209, `You don't have rights to access ${e.key} errata.`) : fault(-208, `The errata ${e.key} cannot be found.`),
  package: (e) => fault(-208, `The package '${e.key}' cannot be found.`),
  user: (e) => fault(-213, `No such user: ${e.key}`),
  org: (e) => fault(2850, `No such organization: ${e.key}`),
  role: (e) => fault(-2005, `No such role: ${e.key}`),
  activationkey: (e) => fault(-212, `Activation Key [${e.key}] Not Found!`),
  repo: (e) => fault(1213, `No such repository: ${e.key}`),
  arch: (e) => internalFault(`Invalid architecture: ${e.key}`),
};

const ALREADY_EXISTS: Record<string, (e: AlreadyExists) => XmlRpcFault> = {
  'channel.label': (e) => fault(1201, `The channel label '${e.value}' is already in use, please enter a different name`),
  'channel.name': (e) => fault(1200, `The channel name '${e.value}' is already in use, please enter a different name`),
  'erratum.advisory_name': (e) => fault(2601, `Errata already exists with advisory ${e.value}`),
  'activationkey.key': () => fault(1090, 'activation_key_already_exists'),
  'user.login': (e) => internalFault(`A user with the login ${e.value} already exists`),
  'repo.label': (e) => fault(2, `Repository label '${e.value}' already in use`),
  // InvalidRepoUrlException (code 1, "Repo url already defined"), unlike the label's code 2
  'repo.url': (e) => fault(1, `Repository URL '${e.value}' already in use`),
};

/** InvalidArgument reasons -> fault codes; the message is the domain's text. */
const INVALID_CODES: Record<string, number> = {
  'channel.label': 1201,
  'channel.name': 1200,
  'channel.parent': 1202,
  'channel.invalid': -211,
  'channel.arch': -1,
  'channel.checksum': 1210,
  'channel.gpg_url': 1207,
  'channel.gpg_id': 1208,
  'channel.gpg_fp': 1209,
  'channel.access': 1064,
  'channel.org': 1066,
  'channel.not_protected': 1206,
  'org.trust': 2854,
  'erratum.type': 1062,
  'erratum.release': 1070,
  'erratum.missing': 2609,
  'erratum.no_channels': 2603,
  'erratum.invalid': 2600,
  'erratum.channel_label': 1201,
  'package.invalid': 2300,
  'package.arch': 2301,
  'package.missing': -209,
  'param': 1213,
  'args': 2801,
  'user.invalid': 2800,
  'role.invalid': -2005,
  'repo.url': 1,
  'repo.label': 2,
  'repo.type': 2,
  // Spacewalk's NoSuchCryptoKeyException: the SSL material given for a repo is unusable
  'repo.ssl': 1210,
  'cron': 1213,
  // guests: systems, keys, groups, actions, dist maps (admin-api.md §1.7, §3.1)
  'system.base_channel': -211,
  'system.child_channel': -211,
  'system.channel_label': 1201,
  'system.channel_list': 1209,
  'system.entitlement': -212,
  'system.not_entitled': 2400,
  'system.capability': 2401,
  'system.incompatible': 1204,
  'system.modules': 2107,
  'system.profile_name_short': 1060,
  'system.profile_name_long': 1061,
  'system.country': 2280,
  'system.not_deleted': 1003,
  'customkey.unknown': 1000,
  'packageprofile.no_base_channel': 1065,
  'packageprofile.label': 2756,
  'activationkey.base_channel': -211,
  'activationkey.child_channel': -211,
  'activationkey.entitlement': -212,
  'activationkey.invalid': 2800,
  'systemgroup.invalid': 2200,
  'systemgroup.unknown': 2201,
  'action.unknown': 2700,
  'action.prerequisite': 2700,
  'action.type': 2701,
  'distchannel.channel': -211,
  'distchannel.arch': 1205,
  'distchannel.map': -215,
  'search.query': 2902,
};

const CONFLICT_CODES: Record<string, number> = {
  'channel.delete': 1234,
  'sync.running': 1233,
  'package.nevra': 2300,
  // Spacewalk lets these out as database or state exceptions (-1); the nearest documented codes
  'systemgroup.name': 2200,
  'packageprofile.name': 1213,
  'customkey.label': 1213,
  'action.child': 1233,
  'action.picked_up': 1233,
  // registration refusals reach /rpc/api only through shared store calls
  'activationkey.disabled': -212,
  'activationkey.usage_limit': -212,
};

export function toFault(err: unknown): { fault: XmlRpcFault; unexpected: boolean } {
  if (err instanceof XmlRpcFault) return { fault: err, unexpected: false };
  if (err instanceof DomainError) {
    switch (err.kind) {
      case 'NotFound': {
        const e = err as NotFound;
        return { fault: (NOT_FOUND[e.entity] ?? ((x: NotFound) => internalFault(x.message)))(e), unexpected: false };
      }
      case 'AlreadyExists': {
        const e = err as AlreadyExists;
        const make = ALREADY_EXISTS[`${e.entity}.${e.field}`];
        return { fault: make ? make(e) : internalFault(e.message), unexpected: false };
      }
      case 'InvalidArgument': {
        const e = err as InvalidArgument;
        const code = INVALID_CODES[e.reason] ?? -1;
        return { fault: code === -1 ? internalFault(e.message) : fault(code, e.message), unexpected: false };
      }
      case 'PermissionDenied':
        return { fault: permissionFault((err as PermissionDenied).role), unexpected: false };
      case 'Conflict': {
        const code = CONFLICT_CODES[(err as Conflict).reason] ?? -1;
        return { fault: code === -1 ? internalFault(err.message) : fault(code, err.message), unexpected: false };
      }
    }
  }
  return { fault: internalFault('Internal server error (logged on the server)'), unexpected: true };
}

/** Exception class names per code, listed by api.getApiNamespaceCallList. */
export const EXCEPTION_CLASS: Record<number, string> = {
  [-1]: 'com.redhat.rhn.FaultException',
  [-23]: 'com.redhat.rhn.frontend.xmlrpc.PermissionCheckFailureException',
  [-208]: 'com.redhat.rhn.frontend.xmlrpc.NoSuchSystemException',
  [-209]: 'com.redhat.rhn.frontend.xmlrpc.NoSuchPackageException',
  [-210]: 'com.redhat.rhn.frontend.xmlrpc.NoSuchChannelException',
  [-211]: 'com.redhat.rhn.frontend.xmlrpc.InvalidChannelException',
  [-212]: 'com.redhat.rhn.frontend.xmlrpc.InvalidEntitlementException',
  [-213]: 'com.redhat.rhn.frontend.xmlrpc.NoSuchUserException',
  [-215]: 'com.redhat.rhn.frontend.xmlrpc.NoSuchDistChannelMapException',
  1: 'com.redhat.rhn.frontend.xmlrpc.channel.repo.InvalidRepoUrlException',
  2: 'com.redhat.rhn.frontend.xmlrpc.channel.repo.InvalidRepoLabelException',
  1000: 'com.redhat.rhn.frontend.xmlrpc.UndefinedCustomFieldsException',
  1003: 'com.redhat.rhn.frontend.xmlrpc.SystemsNotDeletedException',
  1060: 'com.redhat.rhn.frontend.xmlrpc.ProfileNameTooShortException',
  1061: 'com.redhat.rhn.frontend.xmlrpc.ProfileNameTooLongException',
  1062: 'com.redhat.rhn.frontend.xmlrpc.InvalidAdvisoryTypeException',
  1064: 'com.redhat.rhn.frontend.xmlrpc.InvalidAccessValueException',
  1065: 'com.redhat.rhn.frontend.xmlrpc.ProfileNoBaseChannelException',
  1066: 'com.redhat.rhn.frontend.xmlrpc.NotPermittedByOrgException',
  1070: 'com.redhat.rhn.frontend.xmlrpc.InvalidAdvisoryReleaseException',
  1090: 'com.redhat.rhn.frontend.xmlrpc.activationkey.ActivationKeyAlreadyExistsException',
  1200: 'com.redhat.rhn.frontend.xmlrpc.InvalidChannelNameException',
  1201: 'com.redhat.rhn.frontend.xmlrpc.InvalidChannelLabelException',
  1202: 'com.redhat.rhn.frontend.xmlrpc.InvalidParentChannelException',
  1204: 'com.redhat.rhn.frontend.xmlrpc.InvalidSystemException',
  1205: 'com.redhat.rhn.frontend.xmlrpc.InvalidChannelArchException',
  1206: 'com.redhat.rhn.frontend.xmlrpc.InvalidChannelAccessException',
  1207: 'com.redhat.rhn.frontend.xmlrpc.InvalidGPGUrlException',
  1208: 'com.redhat.rhn.frontend.xmlrpc.InvalidGPGKeyException',
  1209: 'com.redhat.rhn.frontend.xmlrpc.InvalidGPGFingerprintException',
  1210: 'com.redhat.rhn.frontend.xmlrpc.InvalidChecksumLabelException',
  1213: 'com.redhat.rhn.frontend.xmlrpc.InvalidParameterException',
  1233: 'com.redhat.rhn.frontend.xmlrpc.InvalidOperationException',
  1234: 'com.redhat.rhn.FaultException',
  2107: 'com.redhat.rhn.frontend.xmlrpc.ModulesNotAllowedException',
  2200: 'com.redhat.rhn.frontend.xmlrpc.InvalidServerGroupException',
  2201: 'com.redhat.rhn.frontend.xmlrpc.LookupServerGroupException',
  2280: 'com.redhat.rhn.frontend.xmlrpc.UnrecognizedCountryException',
  2300: 'com.redhat.rhn.frontend.xmlrpc.InvalidPackageException',
  2301: 'com.redhat.rhn.frontend.xmlrpc.InvalidPackageArchException',
  2400: 'com.redhat.rhn.frontend.xmlrpc.MissingEntitlementException',
  2401: 'com.redhat.rhn.frontend.xmlrpc.MissingCapabilityException',
  2600: 'com.redhat.rhn.frontend.xmlrpc.InvalidErrataException',
  2601: 'com.redhat.rhn.frontend.xmlrpc.DuplicateErrataException',
  2603: 'com.redhat.rhn.frontend.xmlrpc.NoChannelsSelectedException',
  2609: 'com.redhat.rhn.frontend.xmlrpc.MissingErrataAttributeException',
  2700: 'com.redhat.rhn.frontend.xmlrpc.NoSuchActionException',
  2701: 'com.redhat.rhn.frontend.xmlrpc.InvalidActionTypeException',
  2756: 'com.redhat.rhn.frontend.xmlrpc.InvalidProfileLabelException',
  2800: 'com.redhat.rhn.frontend.xmlrpc.ValidationException',
  2801: 'com.redhat.rhn.frontend.xmlrpc.InvalidArgsException',
  2850: 'com.redhat.rhn.frontend.xmlrpc.NoSuchOrgException',
  2854: 'com.redhat.rhn.frontend.xmlrpc.OrgNotInTrustException',
  2901: 'com.redhat.rhn.frontend.xmlrpc.SearchServerCommException',
  2902: 'com.redhat.rhn.frontend.xmlrpc.SearchServerQueryException',
  2950: 'com.redhat.rhn.frontend.xmlrpc.UserLoginException',
};
