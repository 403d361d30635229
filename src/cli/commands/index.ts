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
