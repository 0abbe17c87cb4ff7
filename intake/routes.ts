/**
 * POST /api/intake/propose: the intake form's proposals for the desk, from segments the desk
 * sends (typed notes, or a transcript it holds) or from a call's stored transcript.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { logPiiRead } from '../audit/index.js';
import { currentUser } from '../auth/index.js';
import type { ModuleContext } from '../core/index.js';
import { openNumbersInText, protectedErrors } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { resolvePlace } from '../dispatch/index.js';
import { IntakeErrors } from './errors.js';
import { MAX_CHARS, MAX_SEGMENTS, proposeIntake, type SegmentInput, segmentsProblem } from './prefill.js';
import { IntakeProposalRequest, IntakeProposalResponse } from './schemas.js';

/** A call's final transcript, both legs, in time order (the table is telephony's; dispatch reads it the same way). */
async function callSegments(db: Queryable, callId: number, user: { id: number; role: string }): Promise<SegmentInput[]> {
  const call = await db.query<{ agent_id: number | null }>('SELECT agent_id FROM calls WHERE id = $1', [callId]);
  if (!call.rows.length) throw IntakeErrors.INTAKE_CALL_NOT_FOUND({ callId });
  // The transcript is the caller's personal data: the call's own agent, or a supervisor.
  if (user.role === 'agent' && call.rows[0]?.agent_id !== user.id) {
    throw IntakeErrors.INTAKE_CALL_NOT_YOURS({ callId });
  }
  const r = await db.query<{ leg: 'caller' | 'agent'; seq: number; text: string; start_ms: number | null; end_ms: number | null }>(
    `SELECT leg, seq, text, start_ms, end_ms FROM transcript_segments
     WHERE call_id = $1 AND is_final ORDER BY coalesce(start_ms, 0), seq, id LIMIT ${MAX_SEGMENTS}`,
    [callId],
  );
  return r.rows.map((x) => ({
    text: openNumbersInText(x.text),
    leg: x.leg,
    id: `${x.leg}-${x.seq}`,
    ...(x.start_ms != null ? { startMs: x.start_ms } : {}),
    ...(x.end_ms != null ? { endMs: x.end_ms } : {}),
  }));
}

export const intakeRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext }> = async (app, { ctx }) => {
  app.post(
    '/api/intake/propose',
    {
      // Those who take calls: agents, and the supervisors who stand in for them (admin always).
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['intake'],
        summary: "Propose the intake form's phone, address, name, request type and anonymity from a transcript or a call",
        body: IntakeProposalRequest,
        response: { 200: IntakeProposalResponse, 404: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req) => {
      const { segments, callId } = req.body;
      if (segments && callId !== undefined) throw IntakeErrors.INTAKE_SEGMENTS_AND_CALL();
      if (!segments && callId === undefined) throw IntakeErrors.INTAKE_NO_TRANSCRIPT({ shape: '[{ text, startMs?, endMs? }]' });
      const user = currentUser(req);
      const input = segments ?? (await callSegments(ctx.db, callId as number, user));
      const problem = segmentsProblem(input);
      if (problem) throw IntakeErrors.INTAKE_TRANSCRIPT_UNREADABLE({ problem, maxChars: MAX_CHARS });
      for (const [i, s] of input.entries()) {
        if (s.startMs !== undefined && s.endMs !== undefined && s.endMs < s.startMs)
          throw IntakeErrors.INTAKE_SEGMENT_ENDS_BEFORE_START({ index: i, endMs: s.endMs, startMs: s.startMs });
      }
      const proposal = await proposeIntake(input, { resolvePlace: (address) => resolvePlace(ctx.db, address) });
      if (callId !== undefined) await logPiiRead(ctx.db, req, { type: 'call', id: callId }, ['transcript']);
      return proposal;
    },
  );
};
