import { DateTime } from 'luxon';
import { HolidayDataError } from '../../domain/holidays';
import { PLAN_TIMEZONE } from '../../domain/plan';
import { HolidayNoticeFileError, readHolidayNoticeFile } from '../../holidays/notice-file';
import { addHolidayNotice, holidayListing } from '../../holidays/registry';
import { formatAddResult, formatHolidayListing, formatHolidayNotice } from '../../holidays/summary';
import type { Store } from '../../store';
import { type Command, UsageError } from '../command';
import { sendCalendar, type CalendarSent } from '../../service';
import { createClient, temporalAddress } from '../../temporal/connection';
import { FLAGS, flag, printResult, progressBar, temporalConfig, withStore } from '../kit';

function noticeFile(command: string, positionals: string[]) {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError(`expected one notice FILE (duban holidays ${command} --help)`);
  try {
    return { file, ...readHolidayNoticeFile(file) };
  } catch (err) {
    if (err instanceof HolidayNoticeFileError) throw new UsageError(err.message);
    throw err;
  }
}

const NOTICE_HELP = [
  'FILE is the text of a State Council General Office notice as published on www.gov.cn',
  '(国务院办公厅关于2027年部分节假日安排的通知, or an adjustment: 关于调整…/关于延长…), in UTF-8, UTF-16 or GB18030.',
  'Unreadable input: FILE:LINE: reason, exit code 2, nothing stored.',
];

/** `duban holidays parse FILE [--json]`. */
const parseCommand: Command = {
  path: ['holidays', 'parse'],
  summary: 'read a State Council holiday notice and print the dates it names (nothing is stored)',
  args: 'FILE',
  description: [
    'Prints the year, the notice (title, 文号, date), its days off and its make-up working days (调休上班).',
    '--json prints exactly {year, notice, daysOff[], workdays[]}: notice is the 文号, dates are ISO and sorted.',
    '',
    ...NOTICE_HELP,
  ],
  flags: [flag(FLAGS.json, { help: 'print {year, notice, daysOff[], workdays[]}' })],
  async run({ values, positionals }) {
    const { notice } = noticeFile('parse', positionals);
    const json = {
      year: notice.year,
      notice: notice.notice.number,
      daysOff: notice.daysOff,
      workdays: notice.workdays,
    };
    printResult(values, json, () => formatHolidayNotice(notice));
    return 0;
  },
};

/**
 * Hands the stored years to every running workflow that counts working days. A server that cannot be reached is
 * reported, not fatal: the years are stored, and `duban holidays sync` sends them later.
 */
async function syncRunningWorkflows(store: Store, log: (line: string) => void): Promise<CalendarSent | null> {
  const years = (await store.listHolidayYears()).map((r) => r.data);
  const config = temporalConfig();
  let client;
  try {
    client = await createClient(config, { connectTimeoutMs: 3000 });
  } catch (err) {
    log(
      `duban holidays: cannot reach the Temporal server at ${temporalAddress(config)} (${(err as Error).message}); ` +
        'new workflows use the stored years, running ones get them with `duban holidays sync`',
    );
    return null;
  }
  try {
    return await sendCalendar(client, years, { onProgress: progressBar('duban: holiday years to running workflows') });
  } finally {
    await client.connection.close();
  }
}

/** `duban holidays add FILE [--json]`. */
const addCommand: Command = {
  path: ['holidays', 'add'],
  summary: "store a year's holiday notice (or an adjustment) so every worker's calendar uses it",
  args: 'FILE',
  description: [
    "Parses FILE and stores the year in the store (DATABASE_URL, else the SQLite file under DUBAN_DATA_DIR). A year's",
    "notice replaces what the year had (built-in or added earlier); an adjustment is added to the year's notice.",
    'Prints what changed: the dates whose working-day status is now different. Running workflows pick the year',
    'up at their next wake-up.',
    '',
    ...NOTICE_HELP,
  ],
  flags: [FLAGS.json],
  async run({ values, positionals }) {
    const { file, notice } = noticeFile('add', positionals);
    const log = (line: string) => console.error(line);
    const { result, sent } = await withStore(async (store) => {
      let added;
      try {
        added = await addHolidayNotice(store, notice, Date.now());
      } catch (err) {
        if (err instanceof HolidayDataError) throw new UsageError(`${file}: ${err.message}`);
        throw err;
      }
      return { result: added, sent: await syncRunningWorkflows(store, log) };
    });
    printResult(values, { ...result, runningWorkflows: sent }, () =>
      [
        formatAddResult(result),
        sent ? `running workflows told: ${sent.signalled} (their remaining notices move with the new dates)` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    return 0;
  },
};

/** `duban holidays list [--json]`. */
const listCommand: Command = {
  path: ['holidays', 'list'],
  summary: 'list the holiday notices in force (built-in or added) and the provisional years ahead',
  description: [
    'Each year with a notice: its title, 文号 and date, built-in or added (and when). Then the provisional years up',
    'to next year: no notice yet, so weekends are off and there are no holidays until it is added.',
  ],
  flags: [FLAGS.json],
  async run({ values }) {
    const today = DateTime.now().setZone(PLAN_TIMEZONE).toISODate() as string;
    const listing = holidayListing(await withStore((store) => store.listHolidayYears()), today);
    printResult(values, listing, () => formatHolidayListing(listing));
    return 0;
  },
};

/** `duban holidays sync`. */
const syncCommand: Command = {
  path: ['holidays', 'sync'],
  summary: 'send the added holiday years to every running workflow (after `holidays add` could not reach Temporal)',
  description: [
    'Every running obligation, unit and information-request workflow gets the added years and moves its remaining',
    'notices; new workflows read them when they start.',
  ],
  flags: [FLAGS.json],
  async run({ values }) {
    const sent = await withStore((store) => syncRunningWorkflows(store, (line) => console.error(line)));
    if (!sent) return 1;
    printResult(values, sent, () => `running workflows told: ${sent.signalled} (${sent.ended} ended meanwhile)`);
    return 0;
  },
};

/** The `duban holidays` commands. */
export const holidaysCommands: Command[] = [parseCommand, addCommand, listCommand, syncCommand];
