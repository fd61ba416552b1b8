// Quartz cron expressions (what Spacewalk clients send to channel.software.syncRepo) translated
// into node-cron 4 patterns, or refused with a message that says which part cannot be.
import cron from 'node-cron';

export class QuartzError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`cannot use the Quartz cron expression '${expression}': ${reason}`);
    this.name = 'QuartzError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// Quartz numbers the week from 1 = Sunday; cron (and node-cron) from 0 = Sunday.
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldSpec = { name: 'seconds', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minutes', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS };

/** Reading one field fails with a plain Error; the caller adds the expression. */
function fail(message: string): never {
  throw new Error(message);
}

function value(text: string, f: FieldSpec): number {
  const named = f.names?.indexOf(text) ?? -1;
  if (named >= 0) return named + f.min;
  if (!/^\d{1,2}$/.test(text)) fail(`'${text}' is not a value of the ${f.name} field`);
  const n = Number(text);
  if (n < f.min || n > f.max) fail(`${f.name} must be ${f.min}-${f.max}, got ${n}`);
  return n;
}

function increment(text: string, f: FieldSpec): number {
  if (!/^\d{1,2}$/.test(text)) fail(`'/' in ${f.name} must be followed by a number`);
  const n = Number(text);
  if (n < 1 || n > f.max - f.min + 1) fail(`the ${f.name} increment must be 1-${f.max - f.min + 1}, got ${n}`);
  return n;
}

/**
 * The values one list item (`*`, `a`, `a-b`, `*`/n, a/n, a-b/n) selects. A range whose end is
 * below its start wraps around the field, as in Quartz 2 (`FRI-MON`, `22-2`).
 */
function item(text: string, f: FieldSpec): number[] {
  const [range, stepText] = text.split('/') as [string, string | undefined];
  if (text.split('/').length > 2) fail(`'${text}' has more than one '/'`);
  const step = stepText === undefined ? 1 : increment(stepText, f);
  let start: number;
  let end: number;
  if (range === '*') [start, end] = [f.min, f.max];
  else if (range.includes('-')) {
    const [a, b, extra] = range.split('-');
    if (extra !== undefined || !a || !b) fail(`'${range}' is not a range of the ${f.name} field`);
    [start, end] = [value(a, f), value(b, f)];
  } else [start, end] = [value(range, f), stepText === undefined ? value(range, f) : f.max];
  const span = f.max - f.min + 1;
  const length = (end - start + span) % span;
  const out: number[] = [];
  for (let i = 0; i <= length; i += step) out.push(((start - f.min + i) % span) + f.min);
  return out;
}

function values(text: string, f: FieldSpec): number[] {
  if (text === '?') fail(`'?' is only allowed in day-of-month or day-of-week, not in ${f.name}`);
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, ''))) fail(`'L', 'W' and '#' are not allowed in ${f.name}`);
  const set = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') fail(`empty list item in ${f.name}`);
    for (const v of item(part, f)) set.add(v);
  }
  return [...set].sort((a, b) => a - b);
}

/** A value set as node-cron reads it: `*`, or runs of three or more as ranges. */
function format(vs: readonly number[], f: FieldSpec, shift = 0): string {
  if (vs.length === f.max - f.min + 1) return '*';
  const parts: string[] = [];
  for (let i = 0; i < vs.length; ) {
    let j = i;
    while (j + 1 < vs.length && vs[j + 1] === vs[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${vs[i]! + shift}-${vs[j]! + shift}`);
    else for (let k = i; k <= j; k++) parts.push(String(vs[k]! + shift));
    i = j + 1;
  }
  return parts.join(',');
}

type DayField = { restricted: boolean; text: string };

function dayOfMonth(text: string): DayField {
  if (text === '?' || text === '*') return { restricted: false, text: '*' };
  if (text === 'L' || text === 'LW') return { restricted: true, text };
  const offset = /^L-(\d{1,2})$/.exec(text);
  if (offset) {
    if (Number(offset[1]) > 30) fail(`the offset from the last day must be 0-30, got ${offset[1]}`);
    return { restricted: true, text: Number(offset[1]) === 0 ? 'L' : `L-${Number(offset[1])}` };
  }
  const weekday = /^(\d{1,2})W$/.exec(text);
  if (weekday) return { restricted: true, text: `${value(weekday[1]!, DAY_OF_MONTH)}W` };
  if (/[LW]/.test(text)) fail(`'L' and 'W' in day-of-month stand alone ('L', 'L-3', 'LW', '15W'), got '${text}'`);
  return { restricted: true, text: format(values(text, DAY_OF_MONTH), DAY_OF_MONTH) };
}

function dayOfWeek(text: string): DayField {
  if (text === '?' || text === '*') return { restricted: false, text: '*' };
  // A lone L is Quartz's "last day of the week": Saturday.
  if (text === 'L') return { restricted: true, text: '6' };
  const last = /^([A-Z]{3}|\d)L$/.exec(text);
  if (last) return { restricted: true, text: `${value(last[1]!, DAY_OF_WEEK) - 1}L` };
  const nth = /^([A-Z]{3}|\d)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`the week number after '#' must be 1-5, got ${n}`);
    return { restricted: true, text: `${value(nth[1]!, DAY_OF_WEEK) - 1}#${n}` };
  }
  if (/[L#]/.test(text.replace(/[A-Z]{3}/g, (m) => (WEEKDAYS.includes(m) ? '' : m)))) {
    fail(`'L' and '#' in day-of-week stand alone ('6L', '2#3'), got '${text}'`);
  }
  return { restricted: true, text: format(values(text, DAY_OF_WEEK), DAY_OF_WEEK, -1) };
}

function translateFields(fields: string[]): string {
  const year = fields[6];
  if (year !== undefined && year !== '*') fail(`node-cron has no year field, so only '*' can be translated there (got '${year}')`);
  if (fields[3] === '?' && fields[5] === '?') fail("'?' can stand in day-of-month or in day-of-week, not in both");
  const dom = dayOfMonth(fields[3]!);
  const dow = dayOfWeek(fields[5]!);
  // Quartz refuses both; node-cron would AND them where cron ORs them: refuse rather than guess.
  if (dom.restricted && dow.restricted) fail("day-of-month and day-of-week both restrict the day: put '?' in one of them");
  return [
    format(values(fields[0]!, SECOND), SECOND),
    format(values(fields[1]!, MINUTE), MINUTE),
    format(values(fields[2]!, HOUR), HOUR),
    dom.text,
    format(values(fields[4]!, MONTH), MONTH),
    dow.text,
  ].join(' ');
}

/**
 * Translates a Quartz cron expression (`sec min hour day-of-month month day-of-week [year]`) into
 * a 6-field node-cron pattern with the same fire times. Beyond Quartz, `*` in both day fields
 * is accepted (it is unambiguous). Throws QuartzError for what cannot be translated.
 */
export function quartzToNodeCron(expression: string): string {
  const fields = expression.trim().toUpperCase().split(/\s+/);
  if (expression.trim() === '' || fields.length < 6 || fields.length > 7) {
    throw new QuartzError(expression, `a Quartz expression has 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), got ${expression.trim() === '' ? 0 : fields.length}`);
  }
  let pattern: string;
  try {
    pattern = translateFields(fields);
  } catch (err) {
    throw new QuartzError(expression, (err as Error).message);
  }
  // A node-cron older than the one this was written for may lack L, W or '#'.
  if (!cron.validate(pattern)) throw new QuartzError(expression, `node-cron does not accept the translation '${pattern}'`);
  return pattern;
}
