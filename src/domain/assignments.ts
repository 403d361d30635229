/** Turning a plan's unit names and groups into concrete (task, unit, role) assignments. Pure and deterministic. */
import {
  type Assignment,
  type AssignmentRole,
  type Directory,
  type Unit,
  type UnitGroupKind,
  unitGroupOf,
} from './directory';
import type { Task } from './plan';

/** A task whose group 省直有关部门 waits for an operator to designate the relevant units. */
export interface DesignationNeed {
  taskNo: number;
  role: AssignmentRole;
  group: string;
}

/** A name in a task that is neither a directory unit (name or alias) nor a known group. */
export interface UnknownUnit {
  taskNo: number;
  role: AssignmentRole;
  name: string;
}

/** Assignments of a plan, plus what keeps some of them from being concrete. */
export interface AssignmentList {
  assignments: Assignment[];
  needsDesignation: DesignationNeed[];
  unknownUnits: UnknownUnit[];
}

/** Directory units by name and alias, full-width brackets either way. */
export function unitIndex(directory: Directory): Map<string, Unit> {
  const index = new Map<string, Unit>();
  for (const unit of directory.units) {
    for (const name of [unit.name, ...unit.aliases]) index.set(name.replace(/\(/g, '（').replace(/\)/g, '）'), unit);
  }
  return index;
}

/**
 * Expands every task's lead and responsible names: 省直各部门 (市直各部门 …) → every provincial unit that is not a
 * vertical (中央驻闽) unit, 各设区市 → every city, 省直有关部门 (市直有关部门 …) → a designation need; other groups
 * (各县（市、区）) are unknown until their members are listed as units. A unit that leads a task is not also
 * listed as responsible for it (a group naming it again adds nothing). Order: tasks, then lead before responsible,
 * then the order the table and the directory give.
 */
export function expandAssignments(tasks: readonly Task[], directory: Directory): AssignmentList {
  const index = unitIndex(directory);
  const groups: Partial<Record<UnitGroupKind, Unit[]>> = {
    'all-departments': directory.units.filter((u) => u.kind === 'provincial' && !u.vertical),
    'all-cities': directory.units.filter((u) => u.kind === 'city'),
  };
  const result: AssignmentList = { assignments: [], needsDesignation: [], unknownUnits: [] };
  for (const task of tasks) {
    const seen = new Set<string>();
    const roles: [AssignmentRole, string[]][] = [
      ['lead', task.leadUnits],
      ['responsible', task.responsibleUnits],
    ];
    for (const [role, names] of roles) {
      for (const name of names) {
        const group = unitGroupOf(name);
        if (group === 'relevant-departments') {
          result.needsDesignation.push({ taskNo: task.no, role, group: name });
          continue;
        }
        const one = index.get(name);
        const units = (group && groups[group]) ?? (one ? [one] : undefined);
        if (!units) {
          result.unknownUnits.push({ taskNo: task.no, role, name });
          continue;
        }
        for (const unit of units) {
          if (seen.has(unit.code)) continue;
          seen.add(unit.code);
          result.assignments.push({ taskNo: task.no, unitCode: unit.code, role });
        }
      }
    }
  }
  return result;
}
