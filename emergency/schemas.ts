/**
 * The emergency API's shapes, one source for the routes (validation, serialisation, OpenAPI)
 * and for TypeScript: each schema has its `Static` type of the same name for the server and
 * the desk. Only TypeBox here, so the desk's browser build can import this file. The alert
 * as the API sends it is `EmergencyAlertResponse`: the bus event `EmergencyAlert` (watch.ts)
 * carries more (what detected it, where in the call).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Line = Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120')]);

export const EmergencyAlertResponse = Type.Object({
  callId: Nullable(Type.Integer()),
  workOrderId: Nullable(Type.Integer()),
  agentId: Nullable(Type.Integer()),
  line: Line,
  reason: Type.String(),
  matched: Type.Array(Type.String()),
  text: Type.String(),
  source: Type.String(),
  autoTransfer: Type.Boolean(),
  segmentAt: Type.Number(),
});
/** One alert of POST /api/emergency/check and GET /api/emergency/alerts. */
export type EmergencyAlertResponse = Static<typeof EmergencyAlertResponse>;

export const EmergencyCheckRequest = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 5000 }),
  callId: Type.Optional(Type.Integer({ minimum: 1 })),
  workOrderId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type EmergencyCheckRequest = Static<typeof EmergencyCheckRequest>;

export const EmergencyCheckResponse = Type.Object({ emergency: Type.Boolean(), alert: Nullable(EmergencyAlertResponse) });
export type EmergencyCheckResponse = Static<typeof EmergencyCheckResponse>;

export const EmergencyAlertsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })) });
export type EmergencyAlertsQuery = Static<typeof EmergencyAlertsQuery>;

export const EmergencyTransferRequest = Type.Object({
  callId: Type.Integer({ minimum: 1 }),
  line: Line,
  workOrderId: Type.Optional(Type.Integer({ minimum: 1 })),
  address: Type.Optional(Type.String({ maxLength: 500 })),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  mode: Type.Optional(Type.Union([Type.Literal('bridge'), Type.Literal('blind')])),
});
export type EmergencyTransferRequest = Static<typeof EmergencyTransferRequest>;

export const EmergencyTransferResponse = Type.Object({
  id: Type.Integer(),
  line: Type.String(),
  target: Type.String(),
  mode: Type.String(),
  outcome: Type.String(),
  transcriptExcerpt: Nullable(Type.String()),
  address: Nullable(Type.String()),
  workOrderId: Nullable(Type.Integer()),
  agentId: Nullable(Type.Integer()),
});
/** The referral a one-click transfer made, with the case and address it carries. */
export type EmergencyTransferResponse = Static<typeof EmergencyTransferResponse>;
