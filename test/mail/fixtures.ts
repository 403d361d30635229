/** A small unit directory and notices for mail, activity and store tests. */
import type { Directory } from '../../src/domain/directory';
import { type Notice, noticeKey } from '../../src/domain/notice';
import type { Recipient } from '../../src/store/types';

export const directory: Directory = {
  generalOffice: 'fj-bgt',
  units: [
    {
      code: 'fj-bgt',
      name: '省政府办公厅',
      kind: 'office',
      aliases: [],
      officer: { name: '办公厅联络员', email: 'bgt.officer@duban.test' },
      head: { name: '办公厅负责人', email: 'bgt.head@duban.test' },
    },
    {
      code: 'fj-czt',
      name: '省财政厅',
      kind: 'provincial',
      aliases: [],
      officer: { name: '王联络', email: 'czt.officer@duban.test' },
      head: { name: '李厅长', email: 'czt.head@duban.test' },
    },
    {
      code: 'fj-fgw',
      name: '省发改委',
      kind: 'provincial',
      aliases: [],
      officer: { name: 'Alice Officer', email: 'fgw.officer@duban.test', locale: 'en' },
      head: { name: '陈主任', email: 'fgw.head@duban.test' },
    },
  ],
};

/** Builds a notice with its key filled in; `over` replaces any field. */
export function notice(over: Partial<Notice> = {}): Notice {
  const base: Omit<Notice, 'key'> = {
    planId: 'fj-2017-zwgk',
    taskNo: 12,
    unitCode: 'fj-czt',
    obligation: 'task-deadline',
    period: null,
    due: '2017-12-31',
    stage: 'reminder-5',
    at: '2017-12-22T09:00:00+08:00',
    notify: ['officer'],
    leadUnitCodes: ['fj-fgw'],
    taskTitle: '加强预算公开',
    requirement: '年内公开省级部门预决算。',
    ...over,
  };
  return { key: over.key ?? noticeKey(base), ...base };
}

/** The finance department's officer as an outbox recipient. */
export const officer: Recipient = {
  address: 'czt.officer@duban.test',
  name: '王联络',
  role: 'officer',
  unitCode: 'fj-czt',
  locale: 'zh',
};
