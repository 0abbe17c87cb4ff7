/** The shape GET /api/audit/pii-access answers: the one source of the server's type and the desk's. */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { RECORD_TYPES } from './store.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const RecordType = Type.Union(RECORD_TYPES.map((t) => Type.Literal(t)));

export const PiiAccessSchema = Type.Object(
  {
    id: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    userId: Nullable(Type.Integer()),
    username: Nullable(Type.String()),
    role: Type.String(),
    recordType: RecordType,
    recordId: Type.Integer(),
    recordRef: Nullable(Type.String({ description: 'work order number, call channel id' })),
    fields: Type.Array(Type.String(), {
      description: 'personal fields shown in clear: callerPhone, callerName, address, location, description, transcript, ...',
    }),
    ip: Nullable(Type.String({ description: 'address the request came from' })),
    route: Nullable(Type.String({ description: 'method and route, e.g. GET /api/work-orders/:id' })),
  },
  { $id: 'PiiAccess' },
);

/** One read of a caller's data in clear. */
export type PiiAccess = Static<typeof PiiAccessSchema>;
