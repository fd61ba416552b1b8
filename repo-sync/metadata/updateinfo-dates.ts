// Owns reading the date layouts updateinfo producers write: `YYYY-MM-DD HH:MM:SS`, without
// seconds (Amazon), date only, epoch seconds, and a trailing zone (Pulp's "UTC").

const CALENDAR = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/i;
const EPOCH = /^\d{1,12}(?:\.\d+)?$/;

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || /^(utc|gmt|z)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/**
 * The instant an updateinfo date names, or null when it is none of the known layouts or not a
 * real calendar time. Without a zone the time is UTC, as libsolv (timegm) and createrepo_c read it.
 */
export function parseUpdateinfoDate(raw: string): Date | null {
  const text = raw.trim();
  if (EPOCH.test(text)) return new Date(Math.floor(Number(text)) * 1000);
  const m = CALENDAR.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 2021-02-30 over into March: such a date is not a date.
  if (new Date(ms).getUTCDate() !== day) return null;
  const offset = zoneOffsetMinutes(m[7]);
  if (Math.abs(offset) > 14 * 60) return null;
  return new Date(ms - offset * 60_000);
}
