/** `duban emergency report | done | status`: an incident's response windows (task 55). */
import { checkIncidentReport, INCIDENT_LEVELS, type IncidentOverview, quoted } from '../../service';
import { type Command, UsageError } from '../command';
import {
  EVIDENCE_FLAGS,
  FLAGS,
  PLAN_FLAGS,
  evidenceFlags,
  refusalAsUsage,
  flag,
  instantFlag,
  loadPlan,
  printResult,
  shortTime,
  unitFlag,
  windowChangeCommand,
  windowStatusCommand,
  withDuban,
} from '../kit';
import { LIGHT_STYLES, padEnd, paint } from '../table';

const ID_FLAG = { name: 'id', type: 'string', value: 'ID', help: 'incident id, ASCII letters, digits, . _ -' } as const;

/** An incident and its steps with their lights and margins. */
export function incidentLines(s: IncidentOverview): string[] {
  return [
    `incident ${s.incidentId} (${s.level}) of ${s.unitName}: occurred ${shortTime(s.occurredAt)}, reported ${shortTime(s.reportedAt)}${s.closed ? ', closed' : ''}`,
    ...s.steps.map(
      (x) =>
        `  ${paint(padEnd(x.light, 6), LIGHT_STYLES[x.light])} ${padEnd(x.step, 17)} due ${shortTime(x.due)}  ${x.state}` +
        (x.doneAt && x.marginMinutes !== null
          ? ` at ${shortTime(x.doneAt)} (${x.marginMinutes >= 0 ? `${x.marginMinutes} min early` : `${-x.marginMinutes} min late`})`
          : ''),
    ),
  ];
}

/** `duban emergency report`. */
export const emergencyReportCommand: Command = {
  path: ['emergency', 'report'],
  summary: 'report an incident (突发事件): 5-hour information and 24-hour press-conference windows',
  description: [
    'Starts the response workflow of an incident (task 55). Windows run from the occurrence, not the report:',
    "authoritative information within 5 hours, a press conference within 24 hours. The unit's officer and head",
    'get an `opened` notice at once stating both deadlines; a window already past breaches at once.',
    'Reporting the same incident id twice changes nothing. Bad input (an unknown unit, an instant in the future,',
    'a report before the occurrence) exits 2 before anything is started.',
  ],
  flags: [
    flag(FLAGS.unit, { required: true }),
    {
      name: 'occurred-at',
      type: 'string',
      value: 'INSTANT',
      help: 'when it happened (no offset: Asia/Shanghai)',
      required: true,
    },
    { name: 'reported-at', type: 'string', value: 'INSTANT', help: 'when it was reported', default: 'now' },
    { name: 'level', type: 'string', value: INCIDENT_LEVELS.join('|'), help: 'incident level', required: true },
    { name: 'summary', type: 'string', value: 'TEXT', help: 'what happened', required: true },
    flag(ID_FLAG, { default: '<unit code>-<occurrence yyyyMMddHHmm>' }),
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    unitFlag(loaded.directory, values.unit);
    const report = {
      unit: String(values.unit),
      incidentId: values.id as string | undefined,
      level: String(values.level),
      summary: String(values.summary),
      occurredAt: String(values['occurred-at']),
      reportedAt: values['reported-at'] as string | undefined,
    };
    // Bad input is refused before any connection: it never waits on (or needs) a running server.
    try {
      checkIncidentReport(loaded, report, Date.now());
    } catch (err) {
      refusalAsUsage(err);
    }
    const result = await withDuban(loaded, (d) => d.incidents.report(report));
    const a = result.agenda;
    printResult(values, { ...result, unit: result.unit.code }, () => [
      `${result.created ? 'reported' : 'already reported, nothing changed:'} incident ${result.incidentId} of ${result.unit.name} (${result.workflowId})`,
      `  information due       ${a.information.due}`,
      `  press conference due  ${a.pressConference.due}`,
    ]);
    return 0;
  },
};

/** `duban emergency done`. */
export const emergencyDoneCommand = windowChangeCommand({
  path: ['emergency', 'done'],
  summary: 'record that an incident step was done (information published, press conference held)',
  description: [
    'Records the step with when it was done and by how much it beat or missed its window; a step done early',
    'cancels its remaining reminders and its breach. Refused (exit 2, nothing recorded): an unknown incident, a',
    'step already done, an instant in the future or before the occurrence, no evidence.',
  ],
  idFlag: ID_FLAG,
  flags: [
    { name: 'step', type: 'string', value: 'information|press-conference', help: 'which step', required: true },
    FLAGS.at,
    ...EVIDENCE_FLAGS,
  ],
  input: (values) => {
    const step = String(values.step);
    if (step !== 'information' && step !== 'press-conference')
      throw new UsageError(`--step: expected information | press-conference, got ${quoted(step)}`);
    const evidence = evidenceFlags(values)!;
    const at = instantFlag(values.at, '--at');
    return { step, ...(at ? { at } : {}), evidence };
  },
  change: (d, incidentId, input) => d.incidents.done({ incidentId, ...input }),
  windows: (d) => d.incidents,
  lines: incidentLines,
});

/** `duban emergency status`. */
export const emergencyStatusCommand = windowStatusCommand({
  path: ['emergency', 'status'],
  summary: "show an incident's windows, lights and what was done (or, without --id, every incident of the plan)",
  description: [
    'With --id: one incident and its steps. Without: every incident of the plan (or of --unit), newest first.',
  ],
  idFlag: ID_FLAG,
  plural: 'incidents',
  windows: (d) => d.incidents,
  lines: incidentLines,
});

/** The `duban emergency …` commands, in help order. */
export const emergencyCommands: Command[] = [emergencyReportCommand, emergencyDoneCommand, emergencyStatusCommand];
