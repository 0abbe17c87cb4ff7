/**
 * The password rules for passwords people choose (API, CLI, desk). Pure code with no
 * Node imports: the desk checks the same rules as the user types and shows them in
 * Chinese; the server's refusal carries the rule's name and an English message.
 */

export type PasswordRule = 'length' | 'one_character' | 'classes' | 'username' | 'common';

export interface PolicyViolation {
  rule: PasswordRule;
  message: string;
}

/** Roles that can change other people's access or see everything get the longer minimum. */
export const minPasswordLength = (role: string) => (role === 'admin' || role === 'supervisor' ? 10 : 8);

/** A password this long passes without the character-class rule (a passphrase). */
export const PASSPHRASE_LENGTH = 14;

// The most common passwords in published leak lists, and the product's own words, lower case.
// A short list on purpose: the length and class rules carry most of the weight.
const COMMON = new Set([
  '123456',
  '12345678',
  '123456789',
  '1234567890',
  '1234567890a',
  'a1234567890',
  '12345678910',
  '1qaz2wsx',
  '1qaz2wsx3edc',
  '1q2w3e4r',
  '1q2w3e4r5t',
  'qwertyuiop',
  'qwerty123',
  'qwe123456',
  'asdfghjkl',
  'zxcvbnm123',
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword1',
  'p@ssw0rd123',
  'admin123',
  'admin1234',
  'admin12345',
  'admin@123',
  'admin@1234',
  'administrator',
  'root1234',
  'abc123456',
  'abcd1234',
  'abc@123456',
  'aa123456',
  'a123456789',
  'iloveyou1',
  'woaini1314',
  '5201314520',
  'huawei@123',
  'huawei12345',
  'changeme123',
  'welcome123',
  'letmein123',
  'hotline12345',
  'hotline@12345',
  '12345hotline',
  'hotline123456',
  'zhengwu12345',
]);

const classes = (pw: string) => [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].reduce((n, re) => n + (re.test(pw) ? 1 : 0), 0);

/** The first rule `password` breaks for a user of `role` named `username`, or undefined. */
export function checkPassword(password: string, ctx: { role: string; username: string }): PolicyViolation | undefined {
  const min = minPasswordLength(ctx.role);
  if ([...password].length < min) {
    return { rule: 'length', message: `The password is too short: a ${ctx.role} needs at least ${min} characters.` };
  }
  if (new Set(password).size === 1) {
    return { rule: 'one_character', message: 'The password repeats one character: mix letters, digits and symbols.' };
  }
  const lower = password.toLowerCase();
  const name = ctx.username.toLowerCase();
  if (name.length >= 2 && (lower.includes(name) || lower === [...name].reverse().join(''))) {
    return { rule: 'username', message: 'The password contains the username: choose one that does not.' };
  }
  if (COMMON.has(lower)) {
    return { rule: 'common', message: 'The password is one of the most common passwords: choose another.' };
  }
  if ([...password].length < PASSPHRASE_LENGTH && classes(password) < 3) {
    return {
      rule: 'classes',
      message: `The password needs at least 3 of: lower-case letters, upper-case letters, digits, symbols (or at least ${PASSPHRASE_LENGTH} characters).`,
    };
  }
  return undefined;
}

/** The rules in Chinese, for the desk. */
export const PASSWORD_RULE_ZH: Record<PasswordRule, string> = {
  length: '密码太短：管理员和值班长至少10位，其他角色至少8位。',
  one_character: '密码不能由同一个字符重复组成。',
  classes: `密码须包含小写字母、大写字母、数字、符号中的至少3种（或长度不少于${PASSPHRASE_LENGTH}位）。`,
  username: '密码不能包含用户名。',
  common: '密码过于常见，请换一个。',
};
