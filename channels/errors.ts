// Typed domain errors. They carry what went wrong in domain terms and no wire codes: each
// endpoint (/rpc/api, /XMLRPC) maps them to its own faults in exactly one place.

export type Entity =
  | 'channel'
  | 'package'
  | 'erratum'
  | 'user'
  | 'org'
  | 'role'
  | 'system'
  | 'activationkey'
  | 'repo'
  | 'arch';

export abstract class DomainError extends Error {
  abstract readonly kind: 'NotFound' | 'AlreadyExists' | 'InvalidArgument' | 'PermissionDenied' | 'Conflict';
}

/** The thing does not exist, or the caller may not see it (the two are not told apart). */
export class NotFound extends DomainError {
  readonly kind = 'NotFound';
  constructor(
    readonly entity: Entity,
    readonly key: string | number,
    /** true when it exists but belongs to another organisation */
    readonly foreign = false,
  ) {
    super(`no such ${entity}: ${key}`);
  }
}

export class AlreadyExists extends DomainError {
  readonly kind = 'AlreadyExists';
  constructor(
    readonly entity: Entity,
    readonly field: string,
    readonly value: string,
  ) {
    super(`${entity} ${field} already in use: ${value}`);
  }
}

/**
 * A value the domain refuses. `reason` is a stable dotted name (e.g. `channel.label`,
 * `erratum.type`) that endpoints map to fault codes; `message` is the human text.
 */
export class InvalidArgument extends DomainError {
  readonly kind = 'InvalidArgument';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller lacks a role (or a right on the specific object). */
export class PermissionDenied extends DomainError {
  readonly kind = 'PermissionDenied';
  constructor(
    readonly role?: string,
    message = 'You do not have permissions to perform this action.',
  ) {
    super(message);
  }
}

/** The operation cannot run in the current state (e.g. a channel that still has children). */
export class Conflict extends DomainError {
  readonly kind = 'Conflict';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
