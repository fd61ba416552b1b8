// Wire shapes of errata. Spacewalk's "dates" here are mostly strings, in three layouts:
// locale short dates (M/d/yy), SQL TO_CHAR (YYYY-MM-DD HH24:MI:SS) and Timestamp.toString().
import type { Erratum, ErratumDetails } from '../../channels/index.js';
import { formatShortDate, formatSqlDate, formatTimestamp, type Zone } from '../xmlrpc/zone.js';

/** What an errata overview shows of an erratum. */
export type ErratumHead = Pick<Erratum, 'id' | 'advisoryName' | 'advisoryType' | 'synopsis' | 'issueDate' | 'updateDate'>;

/**
 * ErrataOverview (channel.software.listErrata with date bounds, findByCve, system.getRelevantErrata,
 * ...): `date` is the update date; all dates locale short-date strings.
 */
export function errataOverview(e: ErratumHead, zone: Zone): Record<string, unknown> {
  return {
    id: e.id,
    issue_date: formatShortDate(zone, e.issueDate),
    date: formatShortDate(zone, e.updateDate),
    update_date: formatShortDate(zone, e.updateDate),
    advisory_synopsis: e.synopsis,
    advisory_type: e.advisoryType,
    advisory_name: e.advisoryName,
  };
}

/** The Errata serializer (errata.create/publish/clone results). */
export function errataStruct(e: Erratum, zone: Zone): Record<string, unknown> {
  return {
    id: e.id,
    date: formatShortDate(zone, e.updateDate),
    advisory_synopsis: e.synopsis,
    advisory_name: e.advisoryName,
    advisory_type: e.advisoryType,
  };
}

/**
 * channel.software.listErrata(sk, label): SQL-formatted date strings. `date` is not in
 * Spacewalk's doc, but spacecmd's errata cache reads it, so it is given as a short date.
 */
export function channelErratum(e: Erratum, zone: Zone): Record<string, unknown> {
  return {
    id: e.id,
    advisory_name: e.advisoryName,
    advisory: e.advisoryName,
    advisory_synopsis: e.synopsis,
    synopsis: e.synopsis,
    advisory_type: e.advisoryType,
    date: formatShortDate(zone, e.updateDate),
    issue_date: formatSqlDate(zone, e.issueDate),
    update_date: formatSqlDate(zone, e.updateDate),
    last_modified_date: formatSqlDate(zone, e.lastModified),
  };
}

/** The deprecated string-date listErrata variants and listErrataByType. */
export function legacyErratum(e: Erratum, zone: Zone): Record<string, unknown> {
  return {
    advisory: e.advisoryName,
    issue_date: formatSqlDate(zone, e.issueDate),
    update_date: formatSqlDate(zone, e.updateDate),
    synopsis: e.synopsis,
    advisory_type: e.advisoryType,
    last_modified_date: formatSqlDate(zone, e.lastModified),
  };
}

/** errata.getDetails: no advisory_name key; short-date issue/update, timestamp last_modified. */
export function errataDetails(e: ErratumDetails, zone: Zone): Record<string, unknown> {
  return {
    id: e.id,
    issue_date: formatShortDate(zone, e.issueDate),
    update_date: formatShortDate(zone, e.updateDate),
    last_modified_date: formatTimestamp(zone, e.lastModified),
    synopsis: e.synopsis,
    release: e.advisoryRelease,
    type: e.advisoryType,
    product: e.product,
    errataFrom: e.errataFrom,
    topic: e.topic,
    description: e.description,
    references: e.references,
    notes: e.notes,
    solution: e.solution,
    severity: e.severity,
  };
}

/** packages.listProvidingErrata rows. */
export function providingErratum(e: Erratum, zone: Zone): Record<string, unknown> {
  return {
    advisory: e.advisoryName,
    issue_date: formatSqlDate(zone, e.issueDate),
    last_modified_date: formatSqlDate(zone, e.lastModified),
    update_date: formatSqlDate(zone, e.updateDate),
    synopsis: e.synopsis,
    type: e.advisoryType,
  };
}
