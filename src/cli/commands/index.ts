import type { Command } from '../command';
import { bundleCommand } from './bundle';
import { calendarCommand } from './calendar';
import { designateCommand } from './designate';
import { directoryCommands } from './directory';
import { emergencyCommands } from './emergency';
import { extendCommand } from './extend';
import { fulfilCommand } from './fulfil';
import { historyCommand } from './history';
import { holidaysCommands } from './holidays';
import { notifyTestCommand } from './notify-test';
import { planAssignmentsCommand } from './plan-assignments';
import { planCloseCommand } from './plan-close';
import { planImportCommand } from './plan-import';
import { reportCommand } from './report';
import { requestCommands } from './request';
import { serveCommand } from './serve';
import { simulateCommand } from './simulate';
import { readModelRebuildCommand } from './read-model';
import { planStartCommand, startCommand } from './start';
import { statusCommand } from './status';
import { waiveCommand } from './waive';
import { signForCommand } from './sign-for';

/** Every `duban` command; `duban --help` lists them in this order. Add new commands here. */
export const commands: Command[] = [
  startCommand,
  serveCommand,
  planImportCommand,
  planAssignmentsCommand,
  planStartCommand,
  planCloseCommand,
  readModelRebuildCommand,
  simulateCommand,
  statusCommand,
  fulfilCommand,
  extendCommand,
  waiveCommand,
  signForCommand,
  designateCommand,
  historyCommand,
  reportCommand,
  calendarCommand,
  ...directoryCommands,
  ...holidaysCommands,
  ...emergencyCommands,
  ...requestCommands,
  notifyTestCommand,
  bundleCommand,
];
