// Quartz -> node-cron translation, checked against Quartz itself (Debian's libquartz2-java,
// run by the JDK): for each expression and zone, the next fire times Quartz computes must be
// the ones node-cron computes for the translation. Expressions Quartz refuses, and those
// node-cron cannot express (a year), must be refused with a message naming the problem.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cron from 'node-cron';
import { QuartzError, quartzToNodeCron } from '../../repo-sync/quartz.js';
import { ROOT } from '../support/server.js';

const QUARTZ_JAR = '/usr/share/java/quartz2.jar';
const ORACLE = join(ROOT, 'test', 'support', 'QuartzOracle.java');
const haveOracle = existsSync(QUARTZ_JAR) && spawnSync('java', ['-version']).status === 0;
// test/support/ensure-debian-deps.sh installs both; without them the oracle tests fail rather than skip.
t.ok(haveOracle, `java and ${QUARTZ_JAR} (Debian libquartz2-java) are installed`);

type OracleAnswer = { ok: true; times: number[] } | { ok: false; message: string };

/** One JVM for a batch of questions: [expression, zone, afterMillis, count]. */
function askQuartz(questions: [string, string, number, number][]): OracleAnswer[] {
  const input = questions.map((q) => q.join('\t')).join('\n') + '\n';
  const r = spawnSync('java', ['-cp', QUARTZ_JAR, ORACLE], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Quartz oracle failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => (l.startsWith('OK') ? { ok: true, times: l.slice(2).trim().split(' ').filter(Boolean).map(Number) } : { ok: false, message: l.slice(4) }));
}

/** The next runs node-cron computes for a pattern, and the instant they were computed from. */
function nodeCronRuns(pattern: string, zone: string, count: number): { from: number; times: number[] } {
  for (;;) {
    const task = cron.createTask(pattern, () => undefined, { timezone: zone });
    const from = Date.now();
    const times = task.getNextRuns(count).map((d) => d.getTime());
    const to = Date.now();
    void task.destroy();
    // Both sides count from the same second; a call that straddled one is repeated.
    if (Math.floor(from / 1000) === Math.floor(to / 1000)) return { from, times };
  }
}

// Times stay away from 02:00-03:00 where a zone's DST change could fall in the compared window,
// except the daily 03:00 of the brief, whose next runs are days away from any change.
const SAME_AS_QUARTZ = [
  '0 0 3 ? * *',
  '0 0/15 * * * ?',
  '0 0 1 * * ?',
  '*/10 * * ? * *',
  '0 5/25 * ? * *',
  '15,45 10/20 8-18 ? * *',
  '0 0 22-2 ? * *',
  '0 0 12 ? * 1',
  '0 0 12 ? * 2',
  '0 0 12 ? * 7',
  '0 0 12 ? * MON-FRI',
  '0 0 12 ? * FRI-MON',
  '0 0 12 ? * mon,wed,fri',
  '0 0 12 ? * 2-6/2',
  '0 0 6 1,15 * ?',
  '0 0 6 1/10 * ?',
  '0 0 6 */7 * ?',
  '0 0 12 L * ?',
  '0 0 12 L-3 * ?',
  '0 0 12 LW * ?',
  '0 0 12 15W * ?',
  '0 0 12 1W * ?',
  '0 0 12 ? * 6L',
  '0 0 12 ? * L',
  '0 0 12 ? * 2#1',
  '0 0 12 ? * MON#3',
  '0 0 12 ? * 6#5',
  '0 0 0 1 JAN,JUL ?',
  '0 0 4 ? JAN-MAR,OCT SAT',
  '0 0 12 ? NOV-FEB *',
  '0 0 3 ? * * *',
  '0 0 0 29 2 ?',
  '59 59 23 L 12 ?',
  '0 30 9 10-20/5 * ?',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
const COUNT = 6;

t.test('translations fire when Quartz fires', async (t) => {
  const ours: { expr: string; zone: string; pattern: string; from: number; times: number[] }[] = [];
  for (const expr of SAME_AS_QUARTZ) {
    const pattern = quartzToNodeCron(expr);
    for (const zone of ZONES) ours.push({ expr, zone, pattern, ...nodeCronRuns(pattern, zone, COUNT) });
  }
  const answers = askQuartz(ours.map((o) => [o.expr, o.zone, o.from, COUNT]));
  ours.forEach((o, i) => {
    const a = answers[i]!;
    t.ok(a.ok, `Quartz accepts ${o.expr}`);
    if (a.ok) t.same(o.times.map((x) => new Date(x).toISOString()), a.times.map((x) => new Date(x).toISOString()), `${o.expr} -> ${o.pattern} in ${o.zone}`);
  });
});

t.test("'*' in both day fields is accepted and means every day", async (t) => {
  const lenient = nodeCronRuns(quartzToNodeCron('0 0 3 * * *'), 'Europe/Berlin', COUNT);
  const [strict] = askQuartz([['0 0 3 ? * *', 'Europe/Berlin', lenient.from, COUNT]]);
  t.same(lenient.times, strict!.ok ? strict!.times : null, "same runs as Quartz's 0 0 3 ? * *");
  const [quartz] = askQuartz([['0 0 3 * * *', 'UTC', 0, 1]]);
  t.notOk(quartz!.ok, 'Quartz itself refuses it (a documented leniency)');
});

t.test('Quartz day-of-week 1 is Sunday, cron 0', async (t) => {
  const sundays = nodeCronRuns(quartzToNodeCron('0 0 12 ? * 1'), 'UTC', 5).times;
  t.ok(sundays.every((x) => new Date(x).getUTCDay() === 0), 'every run of day-of-week 1 is a Sunday');
  const sat = nodeCronRuns(quartzToNodeCron('0 0 12 ? * SAT'), 'UTC', 5).times;
  t.ok(sat.every((x) => new Date(x).getUTCDay() === 6), 'SAT is Saturday');
  const daily = nodeCronRuns(quartzToNodeCron('0 0 3 ? * *'), 'UTC', 3).times;
  t.ok(daily.every((x) => new Date(x).toISOString().endsWith('T03:00:00.000Z')), '0 0 3 ? * * runs at 03:00:00');
  t.equal(daily[1]! - daily[0]!, 86_400_000, 'once a day');
});

// [expression, what the message must name, whether Quartz itself accepts it]: the few Quartz
// accepts are refused on purpose (no year field in node-cron; stray fields and zero steps are typos).
const REFUSED: [string, RegExp, boolean][] = [
  ['0 0 3 * * ? 2027', /year/, true],
  ['0 0 3 * * ? 2020-2030', /year/, true],
  ['0 0 3 ? * ?', /both/, false],
  ['0 0 3 15 * MON', /put '\?' in one/, false],
  ['0 0 3 ? *', /6 or 7 fields/, false],
  ['0 0 3 ? * * * *', /6 or 7 fields/, true], // Quartz ignores what follows the year
  ['', /6 or 7 fields/, false],
  ['60 0 3 ? * *', /seconds must be 0-59/, false],
  ['0 0 24 ? * *', /hours must be 0-23/, false],
  ['0 0 3 32 * ?', /day-of-month must be 1-31/, false],
  ['0 0 3 ? 13 *', /month must be 1-12/, false],
  ['0 0 3 ? * 8', /day-of-week must be 1-7/, false],
  ['0 0 3 ? * 0', /day-of-week must be 1-7/, false],
  ['0 0 ? * * *', /'\?' is only allowed/, false],
  ['0 0 3 ? * 2#6', /1-5/, false],
  ['0 0 3 ? * 2#1,3#1', /stand alone/, false],
  ['0 0 3 L,15 * ?', /stand alone/, false],
  ['0 0 3 ? FOO *', /not a value/, false],
  ['0 0/0 3 ? * *', /increment/, true], // Quartz takes a step of 0 as no step
  ['0 0/ 3 ? * *', /followed by a number/, false],
  ['0 L 3 ? * *', /not allowed in minutes/, false],
  ['0 0 3 ? * MON-', /not a range/, false],
];

t.test('what cannot be translated is refused clearly', async (t) => {
  for (const [expr, reason] of REFUSED) {
    t.throws(() => quartzToNodeCron(expr), QuartzError, `${JSON.stringify(expr)} is refused`);
    try {
      quartzToNodeCron(expr);
    } catch (err) {
      t.match((err as Error).message, reason, `${JSON.stringify(expr)}: ${(err as Error).message}`);
      t.ok((err as Error).message.includes(`'${expr}'`), 'the message quotes the expression');
    }
  }
});

t.test('Quartz agrees on which of those are invalid Quartz', async (t) => {
  const answers = askQuartz(REFUSED.map(([expr]) => [expr === '' ? ' ' : expr, 'UTC', 0, 1]));
  REFUSED.forEach(([expr, , quartzAccepts], i) => t.equal(answers[i]!.ok, quartzAccepts, `Quartz ${quartzAccepts ? 'accepts' : 'refuses'} ${JSON.stringify(expr)}`));
});
