/**
 * GET /asr/ws: speech recognition over WebSocket in the vosk-server protocol, so existing
 * Vosk clients and other hotline processes (ASR_ENGINE=remote) can use this server's
 * recognizers. Who may connect: a logged-in agent or supervisor (admin too), or a machine
 * client that presents ASR_WS_TOKEN as `Authorization: Bearer <token>` or `?token=<token>`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { authGuard } from '../auth/index.js';
import type { ModuleContext, Role } from '../core/index.js';
import { secretMatches } from '../core/index.js';
import { AsrErrors } from './errors.js';
import type { AsrEngine, AsrResult, AsrStream, SampleRate } from './types.js';

export const ASR_WS_ROLES: readonly Role[] = ['agent', 'supervisor'];

export interface AsrWsOptions {
  ctx: ModuleContext;
  /** The engine, or null with the reason (the socket is then closed with that reason). */
  getEngine(): AsrEngine | null;
  whyNone(): string;
  token?: string;
}

/** vosk-server's reply for a result: words with times (seconds) and confidence when known. */
export function resultToVosk(r: AsrResult): Record<string, unknown> {
  if (!r.final) return { partial: r.text };
  const result =
    r.startMs !== undefined && r.endMs !== undefined
      ? [{ word: r.text, start: r.startMs / 1000, end: r.endMs / 1000, conf: r.confidence ?? 1 }]
      : [];
  return { result, text: r.text };
}

export const asrWsRoutes: FastifyPluginAsyncTypebox<AsrWsOptions> = async (app, opts) => {
  const sessionGuard = authGuard(opts.ctx.db);

  // The route is public to the foundation's guard so that a machine token can stand in for
  // a login; without a valid token the same session guard runs with this route's roles.
  const allow = async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const queryToken = (req.query as { token?: string }).token;
    if (secretMatches(bearer ?? queryToken, [opts.token])) return;
    const asRoleRoute = Object.create(req, {
      routeOptions: { value: { ...req.routeOptions, config: { ...req.routeOptions.config, public: false, roles: ASR_WS_ROLES } } },
    }) as FastifyRequest;
    await sessionGuard(asRoleRoute);
    req.user = asRoleRoute.user;
  };

  app.get(
    '/asr/ws',
    {
      websocket: true,
      config: { public: true },
      preValidation: allow,
      schema: {
        tags: ['asr'],
        summary:
          'Speech recognition over WebSocket, vosk-server protocol. Send {"config":{"sample_rate":8000|16000}} first, then binary 16-bit PCM mono frames; ' +
          'each frame is answered with {"partial":"..."} or {"result":[...],"text":"..."}; send {"eof" : 1} to get the last result, then the server closes. ' +
          'Roles: agent, supervisor (admin), or ASR_WS_TOKEN as Bearer header or ?token=. A full recognizer pool closes the socket with code 1013 and the reason.',
        querystring: Type.Object({
          token: Type.Optional(Type.String({ maxLength: 256, description: 'ASR_WS_TOKEN for machine clients' })),
        }),
      },
    },
    (socket: WebSocket, req) => {
      const log = req.log;
      let stream: AsrStream | undefined;
      let opening: Promise<void> | undefined;
      let rate: SampleRate = 16000;
      let done = false;
      const queue: Buffer[] = [];
      const send = (m: Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      // vosk-server answers every audio frame; results arrive from the worker asynchronously,
      // so each frame is answered with the newest result since the last answer.
      let latest: AsrResult | undefined;
      const finals: AsrResult[] = [];
      const answer = () => {
        const f = finals.shift();
        if (f) send(resultToVosk(f));
        else send(latest && !latest.final ? { partial: latest.text } : { partial: '' });
      };
      const fail = (code: number, reason: string) => {
        done = true;
        send({ error: reason });
        socket.close(code, reason.slice(0, 120));
      };

      const open = async () => {
        const engine = opts.getEngine();
        if (!engine) return fail(1011, `No speech recognition on this server: ${opts.whyNone()}`);
        try {
          stream = await engine.openStream({
            sampleRate: rate,
            onResult: (r) => {
              latest = r;
              if (r.final) finals.push(r);
            },
            onError: (err) => {
              log.warn({ err }, 'asr stream failed');
              fail(1011, `Recognition failed: ${err.message}`);
            },
          });
          for (const b of queue.splice(0)) stream.push(b);
        } catch (err) {
          const busy = AsrErrors.ASR_BUSY.is(err);
          fail(busy ? 1013 : 1011, err instanceof Error ? err.message : String(err));
        }
      };

      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (done) return;
        if (isBinary) {
          if (!opening) opening = open();
          if (stream) stream.push(data);
          else queue.push(Buffer.from(data));
          answer();
          return;
        }
        let msg: { config?: { sample_rate?: unknown }; eof?: unknown };
        try {
          msg = JSON.parse(data.toString());
        } catch {
          return fail(1003, 'Text messages must be JSON: {"config":{"sample_rate":16000}} or {"eof" : 1}.');
        }
        if (msg.config !== undefined) {
          if (opening) return fail(1003, 'Send the config before any audio.');
          const r = Number(msg.config?.sample_rate ?? 16000);
          if (r !== 8000 && r !== 16000) return fail(1003, `sample_rate ${r} is not supported: use 8000 or 16000.`);
          rate = r;
          opening = open();
        } else if (msg.eof !== undefined) {
          done = true;
          void (async () => {
            await opening;
            const s = stream;
            stream = undefined;
            const collected: AsrResult[] = [];
            if (s) {
              // Finals not yet answered come first, then whatever close() flushes.
              collected.push(...finals.splice(0));
              await s.close().catch((err: Error) => log.warn({ err }, 'asr close failed'));
              collected.push(...finals.splice(0));
            }
            const text = collected.map((r) => r.text).join('');
            const words = collected.flatMap((r) => resultToVosk(r).result as unknown[]);
            send({ result: words, text });
            socket.close(1000);
          })();
        } else {
          fail(1003, 'Unknown message: send {"config":{"sample_rate":N}}, binary PCM, or {"eof" : 1}.');
        }
      });
      socket.on('close', () => {
        done = true;
        const s = stream;
        stream = undefined;
        void s?.close().catch(() => {});
      });
    },
  );
};
