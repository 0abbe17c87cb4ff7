/**
 * The shapes org's routes answer: the one source of the server's types and the desk's
 * (`import type { OrgUnit, Category } from 'org/index.js'`).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const OrgUnitSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  parentId: Nullable(Type.Integer()),
  aliases: Type.Array(Type.String()),
  active: Type.Boolean(),
});

export const CategorySchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  parentId: Nullable(Type.Integer()),
  level: Type.Integer(),
  defaultDepartmentId: Nullable(Type.Integer()),
  deadlineValue: Nullable(Type.Integer()),
  deadlineUnit: Type.Union([Type.Literal('hours'), Type.Literal('workdays'), Type.Null()]),
  active: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  keywords: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: "words citizens use for it, matched by the classifier's leaf proposals; null = the shipped words",
  }),
});

/** A unit of the organisation tree (GET /api/org-units). */
export type OrgUnit = Static<typeof OrgUnitSchema>;
/** A category of the catalogue (GET /api/categories). */
export type Category = Static<typeof CategorySchema>;
