/** A call's audio on the desk (WebSocket): the caller to the agent, the agent's voice back, DTMF. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import { currentUser } from '../../auth/index.js';
import { IdParams } from '../../core/index.js';
import type { CallCenter } from '../call-center.js';
import { TelephonyErrors } from '../errors.js';
import { type CallApiOptions, isSupervisor } from './shared.js';

export const callAudioRoutes: FastifyPluginAsyncTypebox<CallApiOptions> = async (app, { center }) => {
  app.get(
    '/ws/calls/:id/audio',
    {
      websocket: true,
      // callback: staff talk to the citizen they called back; attachAgentAudio admits only the call's own user.
      config: { roles: ['agent', 'supervisor', 'callback'] },
      preValidation: async (req) => {
        const id = Number((req.params as { id: unknown }).id);
        if (!center.isLive(id)) throw TelephonyErrors.CALL_AUDIO_NOT_LIVE({ callId: id });
      },
      schema: {
        tags: ['calls'],
        summary:
          "The agent's call audio (WebSocket): binary frames of 16-bit LE mono PCM at 8 kHz, 20 ms (320 bytes), both ways. The server sends the caller " +
          '(or the citizen on a click-to-call callback); the answering agent or calling callback staff member sends their voice. A supervisor may listen. Text {"type":"dtmf","digits":"1"} sends DTMF. The server closes (1000) when the call ends.',
        params: IdParams,
      },
    },
    (socket: WebSocket, req) => {
      const user = currentUser(req);
      const id = Number((req.params as { id: unknown }).id);
      let link: ReturnType<CallCenter['attachAgentAudio']>;
      try {
        link = center.attachAgentAudio(
          id,
          user.id,
          { send: (pcm) => socket.send(pcm), close: (c, r) => socket.close(c, r) },
          isSupervisor(req),
        );
      } catch (err) {
        socket.close(1008, (err as Error).message.slice(0, 120));
        return;
      }
      socket.on('message', (data, isBinary) => {
        if (isBinary) return link.fromAgent(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
        try {
          const m = JSON.parse(String(data));
          if (m?.type === 'dtmf' && typeof m.digits === 'string' && /^[0-9*#]{1,20}$/.test(m.digits)) {
            center.sendDtmf(id, user.id, m.digits).catch(() => {});
          }
        } catch {
          socket.send(JSON.stringify({ type: 'error', message: 'text frames must be JSON, e.g. {"type":"dtmf","digits":"1"}' }));
        }
      });
      socket.on('close', () => link.detach());
    },
  );
};
