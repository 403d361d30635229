import type { Command } from '../command';
import { bundleCommand } from './bundle';
import { emergencyCommands } from './emergency';
import { notifyTestCommand } from './notify-test';
import { planAssignmentsCommand } from './plan-assignments';
import { planImportCommand } from './plan-import';
import { requestCommands } from './request';
import { serveCommand } from './serve';
import { simulateCommand } from './simulate';
import { startCommand } from './start';
import { calendarCommand } from './calendar';
import { designateCommand } from './designate';
import { extendCommand } from './extend';
import { fulfilCommand } from './fulfil';
import { historyCommand } from './history';
import { reportCommand } from './report';
import { statusCommand } from './status';
import { waiveCommand } from './waive';

/** Every `duban` command; `duban --help` lists them in this order. Add new commands here. */
export const commands: Command[] = [
  startCommand,
  bundleCommand,
  planImportCommand,
  planAssignmentsCommand,
  simulateCommand,
  notifyTestCommand,
];
commands.push(...emergencyCommands, ...requestCommands);
commands.push(serveCommand);
commands.push(
  statusCommand,
  fulfilCommand,
  extendCommand,
  waiveCommand,
  designateCommand,
  historyCommand,
  reportCommand,
  calendarCommand,
);
