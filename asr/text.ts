/**
 * Clean-up of recognized Chinese text: recognizers emit words separated by spaces and
 * numbers as spoken characters; the desk wants 小区门口 and 13858231743.
 */

/** Spoken Chinese digits (幺 and 两 included) and the digit each stands for. */
export const SPOKEN_DIGITS: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  幺: '1',
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};
const DIGIT_CHARS = Object.keys(SPOKEN_DIGITS).join('');
const RUN = new RegExp(`[${DIGIT_CHARS}]{2,}`, 'g');

/** Words before a digit string that make it a number to be written in digits. */
const BEFORE = /(电话|号码|手机|手机号|座机|联系方式|尾号|门牌|门牌号|房间|房号|编号|工号|车牌|身份证|号是|打)$/;
/** Words after a digit string that make it a house, building or room number. */
const AFTER = /^(号|栋|幢|楼|单元|室|弄|巷|组|路)/;

const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])\\s+(?=[${CJK}])`, 'g');

/** Removes spaces between Chinese characters (and trims), keeping spaces between Latin words. */
export function joinChineseWords(text: string): string {
  return text.replace(SPACE_BETWEEN_CJK, '').replace(/\s+/g, ' ').trim();
}

/**
 * Writes spoken digit strings as digits where the context says they are a number read digit
 * by digit: 幺 (only ever said for 1 in numbers), 7 or more digits in a row (phone numbers),
 * or a run after 电话/手机/门牌... or before 号/栋/室/单元. Other runs (一一, 三三两两) stay words.
 */
export function spokenDigitsToNumbers(text: string): string {
  return text.replace(RUN, (run, offset: number, whole: string) => {
    const before = whole.slice(Math.max(0, offset - 4), offset);
    const after = whole.slice(offset + run.length, offset + run.length + 2);
    const isNumber =
      run.includes('幺') || run.length >= 7 || BEFORE.test(before) || (run.length >= 2 && AFTER.test(after) && !/^[一两]$/.test(run));
    return isNumber ? [...run].map((c) => SPOKEN_DIGITS[c]).join('') : run;
  });
}

/** The text the desk and the transcript store see. */
export function cleanTranscript(text: string): string {
  return spokenDigitsToNumbers(joinChineseWords(text));
}
