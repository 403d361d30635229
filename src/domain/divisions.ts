/**
 * Provincial-level divisions and their prefecture-level cities (地级市), what a table's 各设区市 names.
 *
 * Source: 中华人民共和国民政部 (Ministry of Civil Affairs), 《2023年中华人民共和国县以上行政区划代码》, published on
 * www.mca.gov.cn under 民政数据 → 行政区划代码; 293 地级市 in all, the count of its 行政区划统计表, checked in
 * test/import/directory-draft.test.ts. Listed in the order of their division codes. Only 地级市: 地区, 自治州 and 盟
 * are prefecture-level too but are not 设区市, and county-level cities directly under a province (济源, 仙桃 …) are
 * not either. 东莞, 中山, 嘉峪关 and 儋州 have no districts but are listed, as provinces treat them as 设区市.
 * The list is current: a table older than a change needs it by hand (e.g. 莱芜市, merged into 济南市 in 2019).
 * Municipalities (北京, 天津, 上海, 重庆) have no 设区市. Pure data.
 */

/** A provincial-level division (省, 自治区, 直辖市). */
export interface Province {
  /** Two-digit division code, e.g. `35`. */
  code: string;
  /** Short name the way issuers begin, e.g. `福建`. */
  stem: string;
  /** Full name, e.g. `福建省`. */
  name: string;
  /** Its prefecture-level cities (地级市) with `市`, in division-code order; empty for a municipality. */
  cities: readonly string[];
}

const city = (names: string): string[] => names.split(' ').map((n) => `${n}市`);

/** Every provincial-level division of the mainland, in division-code order. */
export const PROVINCES: readonly Province[] = [
  { code: '11', stem: '北京', name: '北京市', cities: [] },
  { code: '12', stem: '天津', name: '天津市', cities: [] },
  {
    code: '13',
    stem: '河北',
    name: '河北省',
    cities: city('石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水'),
  },
  { code: '14', stem: '山西', name: '山西省', cities: city('太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁') },
  {
    code: '15',
    stem: '内蒙古',
    name: '内蒙古自治区',
    cities: city('呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布'),
  },
  {
    code: '21',
    stem: '辽宁',
    name: '辽宁省',
    cities: city('沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛'),
  },
  { code: '22', stem: '吉林', name: '吉林省', cities: city('长春 吉林 四平 辽源 通化 白山 松原 白城') },
  {
    code: '23',
    stem: '黑龙江',
    name: '黑龙江省',
    cities: city('哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化'),
  },
  { code: '31', stem: '上海', name: '上海市', cities: [] },
  {
    code: '32',
    stem: '江苏',
    name: '江苏省',
    cities: city('南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁'),
  },
  { code: '33', stem: '浙江', name: '浙江省', cities: city('杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水') },
  {
    code: '34',
    stem: '安徽',
    name: '安徽省',
    cities: city('合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城'),
  },
  { code: '35', stem: '福建', name: '福建省', cities: city('福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德') },
  {
    code: '36',
    stem: '江西',
    name: '江西省',
    cities: city('南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶'),
  },
  {
    code: '37',
    stem: '山东',
    name: '山东省',
    cities: city('济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽'),
  },
  {
    code: '41',
    stem: '河南',
    name: '河南省',
    cities: city('郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店'),
  },
  {
    code: '42',
    stem: '湖北',
    name: '湖北省',
    cities: city('武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州'),
  },
  {
    code: '43',
    stem: '湖南',
    name: '湖南省',
    cities: city('长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底'),
  },
  {
    code: '44',
    stem: '广东',
    name: '广东省',
    cities: city(
      '广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮',
    ),
  },
  {
    code: '45',
    stem: '广西',
    name: '广西壮族自治区',
    cities: city('南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左'),
  },
  { code: '46', stem: '海南', name: '海南省', cities: city('海口 三亚 三沙 儋州') },
  { code: '50', stem: '重庆', name: '重庆市', cities: [] },
  {
    code: '51',
    stem: '四川',
    name: '四川省',
    cities: city('成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳'),
  },
  { code: '52', stem: '贵州', name: '贵州省', cities: city('贵阳 六盘水 遵义 安顺 毕节 铜仁') },
  { code: '53', stem: '云南', name: '云南省', cities: city('昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧') },
  { code: '54', stem: '西藏', name: '西藏自治区', cities: city('拉萨 日喀则 昌都 林芝 山南 那曲') },
  {
    code: '61',
    stem: '陕西',
    name: '陕西省',
    cities: city('西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛'),
  },
  {
    code: '62',
    stem: '甘肃',
    name: '甘肃省',
    cities: city('兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南'),
  },
  { code: '63', stem: '青海', name: '青海省', cities: city('西宁 海东') },
  { code: '64', stem: '宁夏', name: '宁夏回族自治区', cities: city('银川 石嘴山 吴忠 固原 中卫') },
  { code: '65', stem: '新疆', name: '新疆维吾尔自治区', cities: city('乌鲁木齐 克拉玛依 吐鲁番 哈密') },
];

/**
 * The province an issuer belongs to, from the start of its name (福建省人民政府办公厅 → 福建省); undefined when the
 * issuer names none (a department's own table, a city's).
 */
export function provinceOfIssuer(issuer: string): Province | undefined {
  return (
    PROVINCES.find((p) => issuer.startsWith(p.name)) ??
    // 吉林市人民政府 is a city of 吉林省, not the province.
    PROVINCES.find((p) => issuer.startsWith(p.stem) && (p.cities.length === 0 || issuer[p.stem.length] !== '市'))
  );
}
