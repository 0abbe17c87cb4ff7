/** Accuracy and macro-F1 of predictions against gold labels. */
export interface Metrics {
  n: number;
  accuracy: number;
  macroF1: number;
}

export function evaluate(gold: string[], predicted: string[], labels: string[]): Metrics {
  let correct = 0;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    } else {
      fp.set(p, (fp.get(p) ?? 0) + 1);
      fn.set(g, (fn.get(g) ?? 0) + 1);
    }
  });
  const present = labels.filter((l) => gold.includes(l));
  const f1s = present.map((l) => {
    const t = tp.get(l) ?? 0;
    const denom = 2 * t + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
    return denom ? (2 * t) / denom : 0;
  });
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    n: gold.length,
    accuracy: gold.length ? round(correct / gold.length) : 0,
    macroF1: f1s.length ? round(f1s.reduce((a, b) => a + b, 0) / f1s.length) : 0,
  };
}
