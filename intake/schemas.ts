/**
 * The intake API's shapes, one source for POST /api/intake/propose (validation,
 * serialisation, OpenAPI) and for TypeScript: each schema has its `Static` type of the same
 * name for the server and the desk. No Node APIs here, so the desk's browser build can import
 * it. The API's proposal is `IntakeProposalResponse`; `IntakeProposal` (prefill.ts) is the
 * type `proposeIntake` builds, which it serialises to.
 */
import { type Static, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { REQUEST_TYPES } from './cues.js';
import { MAX_SEGMENTS } from './prefill.js';

export const IntakeSegment = Type.Object({
  text: Type.String({ maxLength: 5000 }),
  startMs: Type.Optional(Type.Integer({ minimum: 0 })),
  endMs: Type.Optional(Type.Integer({ minimum: 0 })),
  id: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()])),
  leg: Type.Optional(
    Type.Union([Type.Literal('caller'), Type.Literal('agent')], {
      description: "who spoke; when given, only the caller's words are the caller's",
    }),
  ),
});

export const IntakeQuote = Type.Object({
  segment: Type.Integer({ description: 'index into the segments (for callId: the call’s final segments in time order)' }),
  start: Type.Integer({ description: 'character offset in that segment’s text' }),
  end: Type.Integer(),
  text: Type.String({ description: 'the words quoted' }),
  atMs: Type.Optional(Type.Integer()),
  segmentId: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
});
// Generic in the extra fields, so the Static type keeps them (phone's kind, address's place).
const proposed = <T extends TSchema, E extends TProperties = Record<never, never>>(value: T, extra?: E) =>
  Type.Optional(Type.Object({ value, from: IntakeQuote, more: Type.Optional(Type.Array(IntakeQuote)), ...(extra as E) }));

export const IntakeProposalResponse = Type.Object(
  {
    phone: proposed(Type.String({ description: 'digits only' }), { kind: Type.Union([Type.Literal('mobile'), Type.Literal('landline')]) }),
    address: proposed(Type.String(), {
      place: Type.Optional(
        Type.Union([Type.Object({ unitId: Type.Integer(), kind: Type.String(), name: Type.String() }), Type.Null()], {
          description: 'street, community or grid the address falls in; null when none matches',
        }),
      ),
    }),
    name: proposed(
      Type.Object({
        surname: Type.String(),
        display: Type.String({ description: '王女士, 王先生, the full name, or the surname alone' }),
        full: Type.Optional(Type.String()),
        gender: Type.Optional(Type.Union([Type.Literal('female'), Type.Literal('male')])),
      }),
    ),
    requestType: proposed(Type.Union(REQUEST_TYPES.map((t) => Type.Literal(t)))),
    anonymous: proposed(Type.Literal(true)),
  },
  { description: 'Proposed intake fields, each with the words it came from; a field the call does not give is absent' },
);

/** What POST /api/intake/propose answers: each proposed field with the words it came from. */
export type IntakeProposalResponse = Static<typeof IntakeProposalResponse>;
export type IntakeQuote = Static<typeof IntakeQuote>;
export type IntakeSegment = Static<typeof IntakeSegment>;

export const IntakeProposalRequest = Type.Object({
  segments: Type.Optional(Type.Array(IntakeSegment, { maxItems: MAX_SEGMENTS, description: 'the transcript, in order' })),
  callId: Type.Optional(Type.Integer({ minimum: 1, description: "read the call's stored final transcript instead" })),
});
export type IntakeProposalRequest = Static<typeof IntakeProposalRequest>;
