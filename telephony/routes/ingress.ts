/** The PBX audio ingress (WebSockets): calls arriving as Twilio Media Streams or raw PCM (audio-fork). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { secretMatches } from '../../core/index.js';
import type { CallCenter } from '../call-center.js';
import { TelephonyErrors } from '../errors.js';
import { AudioForkLeg, TwilioLeg } from '../ingress.js';
import { IngressQuery } from '../schemas.js';

export interface IngressRoutesOptions {
  center: CallCenter;
  /** INGRESS_TOKEN; unset: the ingress refuses every connection. */
  ingressToken?: string;
}

export const ingressRoutes: FastifyPluginAsyncTypebox<IngressRoutesOptions> = async (app, { center, ingressToken }) => {
  const checkToken = async (req: FastifyRequest) => {
    if (!ingressToken) throw TelephonyErrors.INGRESS_OFF();
    const q = (req.query as IngressQuery).token;
    const h = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!secretMatches(q, [ingressToken]) && !secretMatches(h, [ingressToken])) throw TelephonyErrors.INGRESS_TOKEN_WRONG();
  };

  app.get(
    '/ws/ingress/twilio',
    {
      websocket: true,
      config: { public: true },
      preValidation: checkToken,
      schema: {
        tags: ['calls'],
        summary:
          'Call audio in the Twilio Media Streams format (connected, start with customParameters from/to, media base64 µ-law 8 kHz, dtmf, stop). ' +
          "The call is queued like a SIP call; the agent's audio comes back as media messages. Needs INGRESS_TOKEN.",
        security: [],
        querystring: IngressQuery,
      },
    },
    (socket: WebSocket) => {
      const leg = new TwilioLeg(socket);
      let started = false;
      socket.on('message', (data, isBinary) => {
        if (isBinary) return void socket.close(1003, 'Twilio Media Streams messages are JSON text');
        const r = leg.handle(String(data));
        if (r === 'start' && !started) {
          started = true;
          center.arrive(leg).catch(() => socket.close(1011, 'could not record the call'));
        } else if (r === 'stop') {
          leg.remoteEnded();
          socket.close(1000);
        } else if (r && typeof r === 'object') {
          socket.close(1003, r.error.slice(0, 120));
        }
      });
      socket.on('close', () => leg.remoteEnded());
    },
  );

  app.get(
    '/ws/ingress/audio-fork',
    {
      websocket: true,
      config: { public: true },
      preValidation: checkToken,
      schema: {
        tags: ['calls'],
        summary:
          'Call audio as raw PCM after a JSON start frame (FreeSWITCH mod_audio_fork, jambonz listen): first a text frame {"callSid","from","to","sampleRate"}, ' +
          "then binary 16-bit LE mono PCM at 8000 or 16000 Hz. The agent's audio comes back as binary PCM at the same rate. Needs INGRESS_TOKEN.",
        security: [],
        querystring: IngressQuery,
      },
    },
    (socket: WebSocket, req) => {
      const leg = new AudioForkLeg(socket);
      let started = false;
      let failed = false;
      socket.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        if (!started) {
          if (isBinary) return void socket.close(1003, 'send the JSON start frame before any audio');
          const err = leg.begin(buf.toString('utf8'), (req.query as IngressQuery).sampleRate);
          if (err) return void socket.close(1003, err.slice(0, 120));
          started = true;
          center.arrive(leg).catch(() => {
            failed = true;
            socket.close(1011, 'could not record the call');
          });
          return;
        }
        if (isBinary && !failed) leg.pcm(buf);
      });
      socket.on('close', () => leg.remoteEnded());
    },
  );
};
