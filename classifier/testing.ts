/**
 * Test fixtures made here (no shared data needed): short case texts per category built
 * from a few telling words, and a tiny feature setting so training takes well under a
 * second.
 */
import type { LabelledText } from './data.js';
import type { FeatureConfig } from './features.js';
import { mulberry32, type TrainOptions } from './linear.js';
import type { ModelMeta } from './model-files.js';

export const TINY_FEATURES: FeatureConfig = { buckets: 1 << 12, charNgrams: [1, 2], words: true };
export const TINY_OPTIONS: TrainOptions = { loss: 'hinge', epochs: 8, lambda: 1e-5, lr: 0.1, seed: 7 };

export const WORDS: Record<string, string[]> = {
  城乡建设: ['违章建筑', '小区物业', '房屋漏水', '拆迁补偿', '路面施工', '安置房', '公摊面积', '电梯维修'],
  环境保护: ['噪音扰民', '污水排放', '空气污染', '垃圾焚烧', '油烟', '粉尘', '排污口', '养殖场臭气'],
  交通运输: ['公交线路', '出租车拒载', '红绿灯', '高速收费', '网约车', '停车位', '车站', '驾驶证'],
  教育文体: ['学校收费', '学位', '补课', '幼儿园', '教师', '体育馆', '图书馆', '招生'],
  劳动和社会保障: ['拖欠工资', '社保', '养老金', '劳动合同', '失业保险', '退休待遇', '工伤', '医保报销'],
  商贸旅游: ['商家欺诈', '景区门票', '假冒伪劣', '消费者', '超市', '旅行社', '价格', '网购'],
  卫生计生: ['医院', '医生', '生育证', '计划生育', '疫苗', '药店', '看病', '卫生院'],
};

const FRAMES = [
  '我要反映{a}的问题，{b}一直没有解决，请相关部门处理。',
  '{a}太严重了，附近居民都很有意见，{b}也没人管。',
  '请问{a}怎么办理？{b}的政策是什么？',
  '投诉{a}，已经好几个月了，{b}情况依旧。',
];

/** `perClass` texts for each of the seven classes, reproducible from `seed`. */
export function syntheticRows(perClass = 30, seed = 1): LabelledText[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const rows: LabelledText[] = [];
  for (const [category, words] of Object.entries(WORDS)) {
    for (let i = 0; i < perClass; i++) {
      const text = pick(FRAMES).replace('{a}', pick(words)).replace('{b}', pick(words));
      const id = `syn-${category}-${i}`;
      rows.push({ id, text, category, presegmented: false, group: id });
    }
  }
  return rows;
}

/** The description of a model trained on `rows` texts in a test (no holdout metrics). */
export function testMeta(version: string, labels: string[], rows: number): ModelMeta {
  const none = { n: 0, accuracy: 0, macroF1: 0 };
  return {
    format: 1,
    version,
    labels,
    features: TINY_FEATURES,
    training: { ...TINY_OPTIONS, rows, naturalRows: rows, segmentedRows: 0, corrections: 0, seconds: 0 },
    metrics: { natural: none, segmented: none, all: none },
    createdAt: new Date().toISOString(),
  };
}
