// Wall-clock conversion for one configured IANA time zone: XML-RPC dates carry no zone, so
// Spacewalk reads and writes them in the server's zone (SKYLAB_TZ here, default UTC).

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Date.UTC without its 1900 offset for years 0-99 (a wall clock in year 50 is year 50). */
export function utcFromFields(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year + d.getUTCFullYear() - 2000);
  return d.getTime();
}

/** Throws RangeError for a zone Intl does not know (validated once at start). */
export function assertTimeZone(tz: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone: tz });
}

export class Zone {
  readonly isUtc: boolean;
  private readonly fmt: Intl.DateTimeFormat;
  // Offsets change at most on hour boundaries in practice; caching per hour keeps
  // formatting 15k dates in one answer cheap.
  private readonly offsetCache = new Map<number, number>();

  constructor(readonly name: string) {
    assertTimeZone(name);
    this.isUtc = /^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(name);
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Milliseconds to add to a UTC instant to get the zone's wall clock at that instant. */
  offsetAt(utcMs: number): number {
    if (this.isUtc) return 0;
    const bucket = Math.floor(utcMs / HOUR_MS);
    const cached = this.offsetCache.get(bucket);
    if (cached !== undefined) return cached;
    const parts: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(new Date(bucket * HOUR_MS))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const wall = utcFromFields(parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!);
    const offset = wall - bucket * HOUR_MS;
    if (this.offsetCache.size > 10_000) this.offsetCache.clear();
    this.offsetCache.set(bucket, offset);
    return offset;
  }

  wallClock(date: Date): WallClock {
    const d = new Date(date.getTime() + this.offsetAt(date.getTime()));
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }

  /**
   * The instant at which the zone's clock shows `w`. A wall time that occurs twice (clocks
   * going back) gives the earlier instant; one skipped by clocks going forward is read with
   * the offset before the change (02:30 becomes 03:30 summer time), as Python's zoneinfo
   * (fold=0) and Java's lenient calendar do.
   */
  fromWallClock(w: WallClock): Date {
    const asUtc = utcFromFields(w.year, w.month, w.day, w.hour, w.minute, w.second);
    if (this.isUtc) return new Date(asUtc);
    const before = this.offsetAt(asUtc - DAY_MS);
    const candidates = [before, this.offsetAt(asUtc), this.offsetAt(asUtc + DAY_MS)]
      .map((offset) => asUtc - offset)
      .filter((t) => t + this.offsetAt(t) === asUtc);
    return new Date(candidates.length > 0 ? Math.min(...candidates) : asUtc - before);
  }
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const pad4 = (n: number): string => String(n).padStart(4, '0');

/** `YYYYMMDDTHH:MM:SS`, the only layout Spacewalk (and CEFS's fixed-width unpack) knows. */
export function formatXmlRpcDate(zone: Zone, date: Date): string {
  const w = zone.wallClock(date);
  return `${pad4(w.year)}${pad2(w.month)}${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/** `YYYY-MM-DD HH:MM:SS`, what Spacewalk's SQL `TO_CHAR` gives for string-typed dates. */
export function formatSqlDate(zone: Zone, date: Date): string {
  const w = zone.wallClock(date);
  return `${pad4(w.year)}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/** Java `Timestamp.toString()`: `YYYY-MM-DD HH:MM:SS.f` (at least one fraction digit). */
export function formatTimestamp(zone: Zone, date: Date): string {
  const ms = date.getTime() % 1000;
  const frac = ms === 0 ? '0' : String(ms).padStart(3, '0').replace(/0+$/, '');
  return `${formatSqlDate(zone, date)}.${frac}`;
}

/** en_US `DateFormat.SHORT`: `M/d/yy`, e.g. `6/3/20`. spacecmd splits this string. */
export function formatShortDate(zone: Zone, date: Date): string {
  const w = zone.wallClock(date);
  return `${w.month}/${w.day}/${pad2(w.year % 100)}`;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const EXTENDED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads `dateTime.iso8601` text: compact (`20240115T10:00:00`) or extended
 * (`2024-01-15T10:00:00+02:00`). Without a zone designator the configured zone applies.
 * Returns null when the text is not a valid date.
 */
export function parseXmlRpcDate(zone: Zone, text: string): Date | null {
  const m = COMPACT.exec(text) ?? EXTENDED.exec(text);
  if (!m) return null;
  const w: WallClock = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
  };
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) {
    return null;
  }
  if (new Date(utcFromFields(w.year, w.month, w.day)).getUTCDate() !== w.day) return null;
  const designator = m[7];
  if (designator === undefined) return zone.fromWallClock(w);
  let offsetMin = 0;
  if (designator !== 'Z') {
    const digits = designator.replace(':', '');
    offsetMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '-' ? -1 : 1);
  }
  return new Date(utcFromFields(w.year, w.month, w.day, w.hour, w.minute, w.second) - offsetMin * 60_000);
}
