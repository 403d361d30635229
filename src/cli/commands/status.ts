import type { Light, StatusRow } from '../../operator/service';
import {
  PLAN_HELP,
  PLAN_OPTIONS,
  loadOperatorPlan,
  shortTime,
  taskFlag,
  unitFlag,
  withOperatorService,
} from '../../operator/cli-support';
import type { Command } from '../command';

const LIGHTS: Record<Light, string> = { green: '● 绿', yellow: '● 黄', red: '● 红' };

function counts(c: Record<Light, number>): string {
  return `绿 ${c.green}  黄 ${c.yellow}  红 ${c.red}`;
}

function rowLine(r: StatusRow): string {
  const what = `${r.taskNo !== null ? `任务${r.taskNo} ` : ''}${r.obligationId}${r.period ? ` ${r.period}` : ''}`;
  const next = r.nextNotice ? `next ${r.nextNotice.stage} ${shortTime(r.nextNotice.at)}` : '';
  const done = r.fulfilledAt ? `done ${shortTime(r.fulfilledAt)}` : '';
  return `  ${LIGHTS[r.light]}  ${r.unitName.padEnd(10)} ${what.padEnd(36)} due ${r.due}  ${r.state.padEnd(8)} ${done || next}`;
}

/** `duban status`: traffic lights of a plan's obligations, with counts per task and per unit. */
export const statusCommand: Command = {
  path: ['status'],
  summary:
    'traffic lights of every obligation (green on track, yellow reminder window, red overdue), per task and unit',
  usage: [
    'Usage: duban status [--plan ID|FILE] [--task N] [--unit U] [--json]',
    '',
    'Queries the running workflows of the plan and shows each obligation item with its light: green on track or',
    'done (on time, late, waived), yellow inside the reminder window (first reminder reached, not yet due), red',
    'overdue or missed; then the counts per task and per unit.',
    '',
    'Options:',
    '  --task N           only task N',
    '  --unit U           only unit U (name, alias or code)',
    ...PLAN_HELP,
  ].join('\n'),
  options: { ...PLAN_OPTIONS, task: { type: 'string' }, unit: { type: 'string' } },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const taskNo = taskFlag(values.task, plan);
    const unitCode = values.unit !== undefined ? unitFlag(directory, values.unit).code : undefined;
    const report = await withOperatorService(plan, directory, (s) => s.status({ planId: plan.id, taskNo, unitCode }));
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`plan ${plan.id}: ${report.rows.length} items`);
    for (const r of report.rows) console.log(rowLine(r));
    console.log('\nper task:');
    for (const [task, c] of Object.entries(report.byTask))
      console.log(`  ${(/^\d+$/.test(task) ? `任务${task}` : task).padEnd(22)} ${counts(c)}`);
    console.log('\nper unit:');
    const names = new Map(directory.units.map((u) => [u.code, u.name]));
    for (const [code, c] of Object.entries(report.byUnit))
      console.log(`  ${(names.get(code) ?? code).padEnd(14)} ${counts(c)}`);
    return 0;
  },
};
