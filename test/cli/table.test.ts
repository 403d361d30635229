import { statusRowLines } from '../../src/cli/commands/status';
import { colourOn, columns, displayWidth, padEnd } from '../../src/cli/table';
import type { StatusRow } from '../../src/service';

/** Where each column after the first starts, in display columns: the same on every line when they line up. */
function starts(line: string, cells: string[]): number[] {
  return cells.slice(1).map((cell) => displayWidth(line.slice(0, line.indexOf(cell, 1))));
}

describe('terminal columns', () => {
  it('count a Chinese character as two columns, colour codes and combining marks as none', () => {
    expect(displayWidth('福州市')).toBe(6);
    expect(displayWidth('平潭综合实验区 x')).toBe(16);
    expect(displayWidth('\u001b[32m● 绿\u001b[0m')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(padEnd('省财政厅', 10)).toBe('省财政厅  ');
  });

  it('line up cells of Chinese and ASCII text by display width', () => {
    const rows = [
      ['任务2', '省财政厅', 'reminder-5'],
      ['任务20', 'Fuzhou', 'reminder-2'],
      ['implementation', '平潭综合实验区', 'x'],
    ];
    const lines = columns(rows);
    const at = lines.map((l, i) => starts(l, rows[i]!));
    expect(at).toEqual([at[0], at[0], at[0]]);
    expect(at[0]).toEqual([16, 32]);
  });

  it('line up the rows of duban status with Chinese unit names of every length', () => {
    const row = (unitName: string, obligationId: string, taskNo: number | null, light: StatusRow['light']) =>
      ({
        unitName,
        unitCode: 'x',
        obligationId,
        taskNo,
        period: null,
        light,
        due: '2017-05-27',
        state: 'pending',
        nextNotice: { stage: 'reminder-2', at: '2017-05-25T09:00:00.000+08:00' },
        fulfilledAt: null,
      }) as unknown as StatusRow;
    const rows = [
      row('福州市', 'implementation-plan', null, 'yellow'),
      row('平潭综合实验区', 'task-20-week', 20, 'red'),
      row('省发改委', 'year-end-report', null, 'green'),
    ];
    for (const colour of [false, true]) {
      const lines = statusRowLines(rows, colour);
      const dues = lines.map((l) => displayWidth(l.slice(0, l.indexOf('due 2017'))));
      const nexts = lines.map((l) => displayWidth(l.slice(0, l.indexOf('next '))));
      expect(new Set(dues).size).toBe(1);
      expect(new Set(nexts).size).toBe(1);
      expect(lines[1]).toContain('平潭综合实验区  任务20 task-20-week');
      expect(lines.some((l) => l.includes('\u001b['))).toBe(colour);
    }
  });

  it("show the last notice's deliveries by state on a status line, nothing without a notice", () => {
    const row = (delivery: StatusRow['delivery']) =>
      ({
        unitName: '福州市',
        unitCode: 'fj-fuzhou',
        obligationId: 'implementation-plan',
        taskNo: null,
        period: null,
        light: 'yellow',
        due: '2017-05-27',
        state: 'pending',
        nextNotice: { stage: 'reminder-2', at: '2017-05-25T09:00:00.000+08:00' },
        fulfilledAt: null,
        delivery,
      }) as StatusRow;
    const d = { key: 'k', stage: 'reminder-5', at: '2017-05-22T09:00:00.000+08:00', status: 'sent' as const };
    const [mixed, queued, none, unknown] = statusRowLines(
      [
        row({ ...d, queued: 0, sent: 1, failed: 1, undeliverable: 2 }),
        row({ ...d, status: 'queued', queued: 2, sent: 0, failed: 0, undeliverable: 0 }),
        row(null),
        row(undefined),
      ],
      false,
    );
    expect(mixed).toMatch(/next reminder-2 2017-05-25 09:00\s+last reminder-5: sent 1, failed 1, undeliverable 2$/);
    expect(queued).toMatch(/last reminder-5: queued 2$/);
    expect(none).not.toContain('last ');
    expect(unknown).not.toContain('last ');
  });

  it('colour only a terminal without NO_COLOR, or with FORCE_COLOR', () => {
    expect(colourOn({ isTTY: true }, {})).toBe(true);
    expect(colourOn({ isTTY: false }, {})).toBe(false);
    expect(colourOn({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourOn({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourOn({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });
});
