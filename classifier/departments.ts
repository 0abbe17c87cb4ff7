/**
 * What a text says about the department, beyond its category: the unit a caller asks for
 * by name (请城管来, 找劳动监察大队) and, for the few leaves whose cases go to different
 * units by their source (噪声扰民: a neighbour's noise is the police's, a cooling tower's
 * 生态环境's), the unit that source names. Shipped for the default catalogue's unit codes
 * in `department-cues.json`; a site with other codes simply gets no cue.
 */
import { readFileSync } from 'node:fs';
import { squeezeText } from './leaf.js';

export interface LeafCue {
  department: string;
  words: string[];
}

export interface DepartmentCues {
  /** Squeezed phrase → unit code. */
  mentions: Map<string, string>;
  maxMention: number;
  /** Leaf code → cues, first match wins. */
  byLeaf: Map<string, LeafCue[]>;
}

export function buildDepartmentCues(raw: { mentions?: Record<string, string[]>; byLeaf?: Record<string, LeafCue[]> }): DepartmentCues {
  const mentions = new Map<string, string>();
  let maxMention = 0;
  for (const [dept, phrases] of Object.entries(raw.mentions ?? {})) {
    for (const p of phrases) {
      const k = squeezeText(p);
      if (k.length < 2) continue;
      mentions.set(k, dept);
      maxMention = Math.max(maxMention, k.length);
    }
  }
  const byLeaf = new Map<string, LeafCue[]>();
  for (const [code, cues] of Object.entries(raw.byLeaf ?? {})) {
    byLeaf.set(
      code,
      cues.map((c) => ({ department: c.department, words: c.words.map(squeezeText).filter((w) => w.length > 0) })),
    );
  }
  return { mentions, maxMention, byLeaf };
}

let shipped: DepartmentCues | undefined;
export function shippedDepartmentCues(): DepartmentCues {
  shipped ??= buildDepartmentCues(JSON.parse(readFileSync(new URL('./department-cues.json', import.meta.url), 'utf8')));
  return shipped;
}

/**
 * The units a text names. Longest phrase first at each place, so 交通警察 names the traffic
 * police and not also 警察.
 */
export function departmentsNamed(text: string, cues: DepartmentCues = shippedDepartmentCues()): Set<string> {
  const s = squeezeText(text);
  const out = new Set<string>();
  for (let i = 0; i < s.length; i++) {
    for (let len = Math.min(cues.maxMention, s.length - i); len >= 2; len--) {
      const d = cues.mentions.get(s.slice(i, i + len));
      if (d) {
        out.add(d);
        i += len - 1;
        break;
      }
    }
  }
  return out;
}

/** The unit a leaf's cue gives this text, or null when the leaf has no cue the text matches. */
export function cueDepartment(code: string, text: string, cues: DepartmentCues = shippedDepartmentCues()): string | null {
  const list = cues.byLeaf.get(code);
  if (!list) return null;
  const s = squeezeText(text);
  for (const c of list) if (c.words.some((w) => s.includes(w))) return c.department;
  return null;
}
