import { labelRole } from '../../src/import/columns';
import { type UnitRole, UnitLexicon } from '../../src/import/unit-names';

const lexicon = new UnitLexicon(undefined, '福建');
const read = (text: string, role: UnitRole = 'responsible') => lexicon.readUnitCell(text, role);

describe('a unit cell of a table column', () => {
  it('splits lead and responsible units written in one cell', () => {
    expect(read('市发展改革委牵头，市住建局等配合')).toMatchObject({
      lead: ['市发展改革委'],
      responsible: ['市住建局'],
    });
    expect(read('由市教育局牵头，市财政局、市人社局参与')).toMatchObject({
      lead: ['市教育局'],
      responsible: ['市财政局', '市人社局'],
    });
    expect(read('市财政局（牵头）、市税务局')).toMatchObject({ lead: ['市财政局'], responsible: ['市税务局'] });
    expect(read('市直有关部门配合')).toMatchObject({ lead: [], responsible: ['市直有关部门'] });
  });

  it('reads X会Y and X会同Y as X leading with Y, but never splits a name ending in 会', () => {
    expect(read('宣传处会办公室')).toMatchObject({ lead: ['宣传处'], responsible: ['办公室'] });
    expect(read('市民政局会同市财政局')).toMatchObject({ lead: ['市民政局'], responsible: ['市财政局'] });
    expect(read('市红十字会')).toMatchObject({ lead: [], responsible: ['市红十字会'] });
    expect(read('平潭综合实验区管委会')).toMatchObject({ lead: [], responsible: ['平潭综合实验区管委会'] });
  });

  it('takes the column’s role for …负责落实 and …按职责分工落实', () => {
    expect(read('各县（市、区）人民政府负责落实')).toMatchObject({ responsible: ['各县（市、区）人民政府'] });
    expect(read('应急处、监督处等按职责分工落实')).toMatchObject({ lead: [], responsible: ['应急处', '监督处'] });
    expect(read('市财政局、市税务局', 'lead')).toMatchObject({ lead: ['市财政局', '市税务局'], responsible: [] });
  });

  it('reads one unit with its alias in brackets, and keeps a group’s bracket', () => {
    expect(read('规划信息处（爱卫办）')).toEqual({
      lead: [],
      responsible: ['规划信息处'],
      aliases: [['规划信息处', '爱卫办']],
      unread: [],
    });
    expect(read('各县（市、区）、市直各部门').responsible).toEqual(['各县（市、区）', '市直各部门']);
  });

  it('reads units one per line, concatenations and abbreviated enumerations', () => {
    expect(read('市财政局\n市税务局').responsible).toEqual(['市财政局', '市税务局']);
    expect(read('省财政厅省国税局').responsible).toEqual(['省财政厅', '省国税局']);
    expect(read('省发改委、人社厅').responsible).toEqual(['省发改委', '省人社厅']);
    expect(read('市发展改革委、住建局').responsible).toEqual(['市发展改革委', '市住建局']);
    expect(read('区发展改革局、住建局').responsible).toEqual(['区发展改革局', '区住建局']);
    expect(read('市场监管局、税务局').responsible).toEqual(['市场监管局', '税务局']);
  });

  it('returns what is not a unit name for a warning', () => {
    expect(read('请各单位高度重视').unread).toEqual(['请各单位高度重视']);
  });
});

describe('header labels', () => {
  it.each([
    ['序号', 'no'],
    ['工　作　任　务', 'task'],
    ['主要工作任务', 'task'],
    ['重点任务', 'task'],
    ['细化分工', 'detail'],
    ['具体要求', 'detail'],
    ['細化分工', 'detail'],
    ['牵头单位', 'lead'],
    ['牽頭部門', 'lead'],
    ['责任单位（排在第一位的为牵头单位）', 'responsible'],
    ['责任处室', 'responsible'],
    ['配合单位', 'responsible'],
    ['完成时限', 'deadline'],
    ['时间节点', 'deadline'],
    ['工作要求', 'requirements'],
    ['备注', 'requirements'],
  ])('reads %s as %s', (label, role) => {
    expect(labelRole(label)).toBe(role);
  });

  it('names no role for other columns', () => {
    expect(labelRole('考核指标')).toBeUndefined();
    expect(labelRole('进展情况')).toBeUndefined();
    expect(labelRole('')).toBeUndefined();
  });
});
