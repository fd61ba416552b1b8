// What an erratum must carry to be created or changed, as Spacewalk's ErrataHandler checks it.
import { ADVISORY_TYPES, SEVERITIES } from './model.js';
import { InvalidArgument } from './errors.js';

export const MAX_ADVISORY_RELEASE = 9999;

/** The errataInfo keys errata.create requires (missing or blank: fault 2609). */
export const REQUIRED_ERRATUM_KEYS = ['synopsis', 'advisory_name', 'advisory_release', 'advisory_type', 'product', 'topic', 'description', 'solution'] as const;

export function validateAdvisoryType(type: string): void {
  if (!(ADVISORY_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgument('erratum.type', `Invalid errata type, "${type}". Please use one of ${ADVISORY_TYPES.map((t) => `"${t}"`).join(', ')}.`);
  }
}

export function validateAdvisoryRelease(release: number): void {
  if (!Number.isInteger(release) || release < 1 || release > MAX_ADVISORY_RELEASE) {
    throw new InvalidArgument('erratum.release', `Invalid advisory release ${release}: must be between 1 and ${MAX_ADVISORY_RELEASE}`);
  }
}

/** Severity is kept only on security advisories; its label is normalised to Spacewalk's case. */
export function normaliseSeverity(type: string, severity: string | null | undefined): string | null {
  if (type !== 'Security Advisory' || !severity) return null;
  const found = SEVERITIES.find((s) => s.toLowerCase() === severity.trim().toLowerCase());
  if (!found) throw new InvalidArgument('param', `Invalid severity '${severity}': use one of ${SEVERITIES.join(', ')}`);
  return found;
}

export function missingAttribute(name: string): InvalidArgument {
  return new InvalidArgument('erratum.missing', `A required errata attribute (${name}) was missing.`);
}
