import { loadScenario } from '../../simulate/scenario';
import { simulate } from '../../simulate/simulator';
import { type Command, UsageError } from '../command';
import { loadPlanForCommand } from '../plan-loader';

export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'run a whole plan year on the time-skipping test server and print every notice and outcome',
  usage: [
    'Usage: duban simulate [--plan FILE] [--scenario FILE] [--directory FILE] [--policy FILE] [--json]',
    '',
    'Runs the real workflows of every obligation of the plan on the time-skipping test server, from the publish',
    'date until every notice has fired. With no scenario nobody fulfils anything. The store and the .eml files of',
    'every message go to $DUBAN_DATA_DIR/simulations/<plan>-<time>/. Progress goes to stderr.',
    '',
    'Options:',
    '  --plan FILE       task table (default: the bundled examples/fujian-2017/tasks.txt)',
    '  --scenario FILE   {"events": [{"at", "type": "fulfil", "unit", "obligation", "taskNo"?, "period"?}, …]};',
    '                    also "extend" (newDue, reason, approver), "waive" (reason, approver), "designate" (taskNo)',
    '  --directory FILE  unit directory (default: $DUBAN_DIRECTORY or the bundled one)',
    "  --policy FILE     policy overrides as JSON (default: the design's default policy)",
    '  --json            print {plan, notifications[], outcomes[]} as JSON (default: a summary)',
  ].join('\n'),
  options: {
    plan: { type: 'string' },
    scenario: { type: 'string' },
    directory: { type: 'string' },
    policy: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    const { plan, directory, policy } = loadPlanForCommand(values);
    let scenario;
    if (typeof values.scenario === 'string') {
      try {
        scenario = loadScenario(values.scenario);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const { output, stats } = await simulate({
      plan,
      directory,
      scenario,
      policy,
      progress: (line) => console.error(line),
    });
    console.error(
      `simulate: ${stats.unitWorkflows} unit workflows, ${stats.obligationWorkflows} obligation workflows, ` +
        `${stats.notices} notices, ${(stats.wallMs / 1000).toFixed(1)} s; messages in ${stats.outputDir}/outbox`,
    );
    if (values.json) {
      console.log(JSON.stringify(output, null, 2));
      return 0;
    }
    const byStatus = new Map<string, number>();
    for (const o of output.outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    const byStage = new Map<string, number>();
    for (const n of output.notifications) byStage.set(n.stage, (byStage.get(n.stage) ?? 0) + 1);
    console.log(
      `plan ${output.plan}: ${output.notifications.length} notifications, ${output.outcomes.length} outcomes`,
    );
    console.log(`  by stage:   ${[...byStage].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  by outcome: ${[...byStatus].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return 0;
  },
};
