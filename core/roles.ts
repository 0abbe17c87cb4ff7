/** The roles of the people who use the desk (see docs/architecture.md). */
export const ROLES = ['agent', 'dispatcher', 'handler', 'callback', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES_ZH: Record<Role, string> = {
  agent: '话务员',
  dispatcher: '派单员',
  handler: '承办单位',
  callback: '回访员',
  supervisor: '值班长',
  admin: '管理员',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
