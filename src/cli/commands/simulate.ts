import { ScenarioEventError, checkScenario, loadScenario } from '../../simulate/scenario';
import { simulate } from '../../simulate/simulator';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FLAGS, flag, loadPlan, printResult } from '../kit';

export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'run a whole plan year on the time-skipping test server and print every notice and outcome',
  description: [
    'Runs the real workflows of every obligation of the plan on the time-skipping test server, from the publish',
    'date until every notice has fired. With no scenario nobody fulfils anything. The store and the .eml files of',
    'every message go to $DUBAN_DATA_DIR/simulations/<plan>-<time>/. Progress goes to stderr.',
    '',
    'A scenario is {"events": [{"at", "type", …}, …]}, each applied at its instant: fulfil (unit, obligation,',
    'taskNo?, period?; or incident / request for emergency steps and replies), extend (newDue, reason,',
    'approver), waive (reason, approver), designate (unit, taskNo, remove?), incident (unit, incident, level,',
    'occurredAt), information-request (unit, request, receivedOn), request-extend (request, approver, reason,',
    'workingDays?), request-pause / request-resume (request, on?, reason), request-correct (request, receivedOn).',
  ],
  flags: [
    ...PLAN_FLAGS,
    { name: 'scenario', type: 'string', value: 'FILE', help: 'events to apply during the year', default: 'none' },
    FLAGS.policy,
    flag(FLAGS.json, { help: 'print {plan, notifications[], outcomes[]} as JSON (default: a summary)' }),
  ],
  async run({ values }) {
    const { plan, directory, policy } = await loadPlan(values, { warnings: 'all' });
    let scenario;
    if (typeof values.scenario === 'string') {
      try {
        scenario = loadScenario(values.scenario);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      // The whole file is checked against the plan before the test server starts: a typo an hour into the year
      // would waste the run.
      const problems = checkScenario(scenario, plan, directory);
      if (problems.length > 0) throw new UsageError(problems.map((p) => `${values.scenario}: ${p}`).join('\n'));
    }
    const { output, stats } = await simulate({
      plan,
      directory,
      scenario,
      policy,
      progress: (line) => console.error(line),
    }).catch((err: unknown) => {
      // A refused event (closed obligation, second extension …) is the scenario's fault, not a crash: no stack.
      if (err instanceof ScenarioEventError) throw new UsageError(`${values.scenario}: ${err.message}`, 1);
      throw err;
    });
    console.error(
      `simulate: ${stats.unitWorkflows} unit workflows, ${stats.obligationWorkflows} obligation workflows, ` +
        `${stats.notices} notices, ${(stats.wallMs / 1000).toFixed(1)} s; messages in ${stats.outputDir}/outbox`,
    );
    printResult(values, output, () => {
      const byStatus = new Map<string, number>();
      for (const o of output.outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      const byStage = new Map<string, number>();
      for (const n of output.notifications) byStage.set(n.stage, (byStage.get(n.stage) ?? 0) + 1);
      return [
        `plan ${output.plan}: ${output.notifications.length} notifications, ${output.outcomes.length} outcomes`,
        `  by stage:   ${[...byStage].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `  by outcome: ${[...byStatus].map(([k, v]) => `${k} ${v}`).join(', ')}`,
      ];
    });
    return 0;
  },
};
