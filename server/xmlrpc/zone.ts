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
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
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

  /** The instant at which the zone's clock shows `w` (the earlier one when ambiguous). */
  fromWallClock(w: WallClock): Date {
    const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    let guess = asUtc - this.offsetAt(asUtc);
    const second = asUtc - this.offsetAt(guess);
    if (second !== guess) guess = Math.min(guess, second);
    return new Date(guess);
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
  const check = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (check.getUTCDate() !== w.day) return null;
  const designator = m[7];
  if (designator === undefined) return zone.fromWallClock(w);
  let offsetMin = 0;
  if (designator !== 'Z') {
    const digits = designator.replace(':', '');
    offsetMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '-' ? -1 : 1);
  }
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - offsetMin * 60_000);
}
