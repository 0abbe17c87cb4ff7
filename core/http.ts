/**
 * Shared shapes for HTTP routes: every module's routes declare who may call them
 * (`config.roles`) and use these schemas for errors, so the OpenAPI document at /docs
 * describes refusals the same way everywhere.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Role } from './roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route ('any' = any logged-in user). Admin is always allowed. */
    roles?: readonly Role[] | 'any';
    /** No login needed (health checks, login itself, Open311). */
    public?: boolean;
  }
}

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    code: Type.String(),
    message: Type.String({ description: 'English, for developers and logs; the desk renders its Chinese text from code and params' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'values of the message, by name' })),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'ErrorResponse', description: 'What went wrong and what to do about it' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

const ref = Type.Ref('ErrorResponse');
/** Standard refusals for a protected route, to spread into `response`. */
export const protectedErrors = { 400: ref, 401: ref, 403: ref } as const;

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'numeric id' }) });
export type IdParams = Static<typeof IdParams>;
