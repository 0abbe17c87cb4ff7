/**
 * Open311 GeoReport v2 as a plugin of its own, mounted on /open311/v2. Public routes, so
 * errors use the standard's shape, [{code, description}], and only requests that came in
 * through Open311 are listed (hotline calls stay private).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyError } from 'fastify';
import { type HotlineError, isHotlineError, secretMatches } from '../../core/index.js';
import { databaseErrorKind } from '../../db/index.js';
import { DispatchErrors } from '../errors.js';
import { CLOSED, parseCoordinate, parseW3cTime, type RequestRow, SELECT_REQUEST, toRequest } from '../open311.js';
import { resolvePlace } from '../routing.js';
import { createWorkOrder } from '../workorders.js';
import type { DispatchRouteOptions } from './shared.js';

const Open311Error = Type.Array(Type.Object({ code: Type.Integer(), description: Type.String() }), {
  description: 'GeoReport v2 error list',
});
const errors = { 400: Open311Error, 403: Open311Error, 404: Open311Error } as const;
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

const ServiceSchema = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean(),
  type: Type.String(),
  keywords: Type.String(),
  group: Type.String(),
});

const RequestSchema = Type.Object({
  service_request_id: Type.String(),
  status: Type.String({ description: 'open or closed' }),
  status_notes: Nullable(Type.String()),
  service_name: Nullable(Type.String()),
  service_code: Nullable(Type.String()),
  description: Nullable(Type.String()),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Nullable(Type.String()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  long: Nullable(Type.Number()),
  media_url: Nullable(Type.String()),
});

const Field = Type.Optional(Type.String({ maxLength: 4000 }));
const PostBody = Type.Object({
  api_key: Field,
  jurisdiction_id: Field,
  service_code: Field,
  lat: Field,
  long: Field,
  address_string: Field,
  address_id: Field,
  email: Field,
  device_id: Field,
  account_id: Field,
  first_name: Field,
  last_name: Field,
  phone: Field,
  description: Field,
  media_url: Field,
});

export const open311Routes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx, settings }) => {
  const { db, bus } = ctx;

  // Clients post form-encoded bodies, as the standard's examples do.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((err: FastifyError | HotlineError, req, reply) => {
    let status = err.statusCode ?? 500;
    let description = err.message;
    if ('validation' in err && err.validation) {
      status = 400;
      description = `invalid request: ${err.message}`;
    } else if (!isHotlineError(err)) {
      const db = databaseErrorKind(err);
      if (db === 'invalid-value') {
        status = 400;
        description = 'a value in the request cannot be stored: check dates (years 0001-9999), numbers and text';
      } else if (db === 'unavailable') {
        status = 503;
        description = 'the service is briefly unavailable; try again in a few seconds';
        reply.header('retry-after', '5');
      }
    }
    if (status >= 500 && status !== 503) {
      req.log.error({ err }, 'open311 request failed');
      description = 'internal error; try again later';
    } else if (!isHotlineError(err) && status === 415) {
      description = 'send the request as application/x-www-form-urlencoded or application/json';
    }
    reply.code(status).send([{ code: status, description }]);
  });

  const unknownResource = (url: string) => DispatchErrors.OPEN311_RESOURCE_NOT_FOUND({ path: url.split('?')[0] });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send([{ code: 404, description: unknownResource(req.url).message }]);
  });
  // A wildcard, not only the not-found handler: the desk's catch-all route would otherwise
  // answer unknown /open311 paths in the API's error shape instead of the standard's.
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/*',
    config: { public: true },
    schema: { hide: true },
    handler: async (req) => {
      throw unknownResource(req.url);
    },
  });

  const open = { public: true } as const;

  /** Whether a read shows where and what: a valid api_key, or the site's opt-in. A wrong key is refused. */
  const detailsFor = (apiKey: string | undefined): boolean => {
    if (apiKey != null && apiKey !== '') {
      if (!secretMatches(apiKey, settings.open311Keys)) throw DispatchErrors.OPEN311_API_KEY_INVALID();
      return true;
    }
    return settings.open311PublicDetails;
  };

  app.get(
    '/services.json',
    {
      config: open,
      schema: {
        tags: ['open311'],
        summary: 'GeoReport v2 service list: the case categories',
        security: [],
        querystring: Type.Object({ jurisdiction_id: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(ServiceSchema), ...errors },
      },
    },
    async () => {
      const r = await db.query<{ code: string; name: string; parent: string | null }>(
        `SELECT c.code, c.name, p.name AS parent FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
          WHERE c.active ORDER BY c.sort, c.id`,
      );
      return r.rows.map((c) => ({
        service_code: c.code,
        service_name: c.name,
        description: c.parent ? `${c.parent} / ${c.name}` : c.name,
        metadata: false,
        type: 'realtime',
        keywords: '',
        group: c.parent ?? c.name,
      }));
    },
  );

  app.get(
    '/services/:service_code.json',
    {
      config: open,
      schema: {
        tags: ['open311'],
        summary: 'GeoReport v2 service definition (no service has extra attributes)',
        security: [],
        params: Type.Object({ service_code: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.Object({ service_code: Type.String(), attributes: Type.Array(Type.Unknown()) }), ...errors },
      },
    },
    async (req) => {
      const r = await db.query('SELECT 1 FROM categories WHERE code = $1 AND active', [req.params.service_code]);
      if (!r.rowCount) throw DispatchErrors.OPEN311_SERVICE_NOT_FOUND({ serviceCode: req.params.service_code });
      return { service_code: req.params.service_code, attributes: [] };
    },
  );

  app.post(
    '/requests.json',
    {
      config: open,
      schema: {
        tags: ['open311'],
        summary: 'GeoReport v2: submit a service request (needs an api_key); it becomes a work order in the dispatch queue',
        security: [],
        body: PostBody,
        response: {
          201: Type.Array(
            Type.Object({ service_request_id: Type.String(), service_notice: Type.String(), account_id: Nullable(Type.String()) }),
          ),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      if (!settings.open311Keys.length) throw DispatchErrors.OPEN311_DISABLED();
      if (!secretMatches(b.api_key, settings.open311Keys)) throw DispatchErrors.OPEN311_API_KEY_REQUIRED();
      if (!b.service_code) throw DispatchErrors.OPEN311_SERVICE_CODE_REQUIRED();
      const cat = await db.query<{ id: number; name: string }>('SELECT id, name FROM categories WHERE code = $1 AND active', [
        b.service_code,
      ]);
      const category = cat.rows[0];
      if (!category) throw DispatchErrors.OPEN311_SERVICE_NOT_FOUND({ serviceCode: b.service_code });
      const lat = parseCoordinate(b.lat, 'lat', 90);
      const lng = parseCoordinate(b.long, 'long', 180);
      if ((lat == null) !== (lng == null)) throw DispatchErrors.OPEN311_COORDINATES_UNPAIRED();
      const address = b.address_string?.trim() || null;
      let placeUnitId: number | null = null;
      if (b.address_id) {
        const p = await db.query<{ id: number }>(`SELECT id FROM org_units WHERE code = $1 AND kind IN ('street', 'community', 'grid')`, [
          b.address_id,
        ]);
        if (!p.rows[0]) throw DispatchErrors.OPEN311_ADDRESS_ID_UNKNOWN({ addressId: b.address_id });
        placeUnitId = p.rows[0].id;
      }
      if (lat == null && !address && placeUnitId == null) throw DispatchErrors.OPEN311_LOCATION_REQUIRED();
      if (b.media_url && !/^https?:\/\/\S+$/.test(b.media_url)) throw DispatchErrors.OPEN311_MEDIA_URL_INVALID();
      if (b.email && !/^[^\s@]+@[^\s@]+$/.test(b.email)) throw DispatchErrors.OPEN311_EMAIL_INVALID();
      if (b.phone && !/^\+?[\d\s-]{3,20}$/.test(b.phone)) throw DispatchErrors.OPEN311_PHONE_INVALID();
      placeUnitId ??= (await resolvePlace(db, address))?.unitId ?? null;
      const name = [b.last_name, b.first_name].filter(Boolean).join('') || null;
      const { workOrder } = await createWorkOrder(
        db,
        bus,
        {
          channel: 'open311',
          callerName: name,
          callerPhone: b.phone ?? null,
          address,
          placeUnitId,
          lat: lat ?? null,
          lng: lng ?? null,
          mediaUrl: b.media_url ?? null,
          description: b.description?.trim() || `（随手拍上报）${category.name}`,
          categoryId: category.id,
          submit: true,
          channelData: {
            email: b.email ?? null,
            deviceId: b.device_id ?? null,
            accountId: b.account_id ?? null,
            jurisdictionId: b.jurisdiction_id ?? null,
          },
        },
        { id: null, role: 'system', orgUnitId: null },
        settings,
      );
      return reply.code(201).send([
        {
          service_request_id: workOrder.number,
          service_notice: '您的诉求已受理，我们将尽快派发至承办单位办理。',
          account_id: b.account_id ?? null,
        },
      ]);
    },
  );

  app.get(
    '/requests.json',
    {
      config: open,
      schema: {
        tags: ['open311'],
        summary:
          'GeoReport v2: service requests submitted through Open311, with status open/closed (90 days by default, at most 1000); address, coordinates, photo and description only with an api_key (or OPEN311_PUBLIC_DETAILS)',
        security: [],
        querystring: Type.Object({
          api_key: Type.Optional(
            Type.String({ maxLength: 200, description: 'a key of OPEN311_API_KEYS: adds address, coordinates, photo and description' }),
          ),
          jurisdiction_id: Type.Optional(Type.String()),
          service_request_id: Type.Optional(Type.String({ maxLength: 2000 })),
          service_code: Type.Optional(Type.String({ maxLength: 100 })),
          start_date: Type.Optional(Type.String({ maxLength: 40 })),
          end_date: Type.Optional(Type.String({ maxLength: 40 })),
          status: Type.Optional(Type.String({ maxLength: 20 })),
        }),
        response: { 200: Type.Array(RequestSchema), ...errors },
      },
    },
    async (req) => {
      const qs = req.query;
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('$?', `$${params.length}`));
      };
      if (qs.service_request_id) {
        add(
          'w.number = ANY($?::text[])',
          qs.service_request_id.split(',').map((s) => s.trim()),
        );
      } else {
        const start = parseW3cTime(qs.start_date, 'start_date');
        const end = parseW3cTime(qs.end_date, 'end_date');
        if (start && end && start > end) throw DispatchErrors.OPEN311_DATE_RANGE_INVALID();
        // The standard's default window: the last 90 days.
        add('w.created_at >= $?::timestamptz', start ?? new Date(Date.now() - 90 * 86_400_000).toISOString());
        if (end) add('w.created_at <= $?::timestamptz', end);
        if (qs.service_code) add('c.code = $?', qs.service_code);
        if (qs.status) {
          const statuses = qs.status.split(',').map((s) => s.trim());
          if (statuses.some((s) => s !== 'open' && s !== 'closed')) throw DispatchErrors.OPEN311_STATUS_INVALID();
          if (statuses.length === 1) add(`(w.state = ANY($?::text[])) = ${statuses[0] === 'closed'}`, CLOSED);
        }
      }
      const detailed = detailsFor(qs.api_key);
      const r = await db.query<RequestRow>(`${SELECT_REQUEST} AND ${where.join(' AND ')} ORDER BY w.created_at DESC LIMIT 1000`, params);
      return r.rows.map((row) => toRequest(row, detailed));
    },
  );

  app.get(
    '/requests/:service_request_id.json',
    {
      config: open,
      schema: {
        tags: ['open311'],
        summary: 'GeoReport v2: one service request by its id (the work order number); details as for requests.json',
        security: [],
        params: Type.Object({ service_request_id: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({
          api_key: Type.Optional(
            Type.String({ maxLength: 200, description: 'a key of OPEN311_API_KEYS: adds address, coordinates, photo and description' }),
          ),
          jurisdiction_id: Type.Optional(Type.String()),
        }),
        response: { 200: Type.Array(RequestSchema), ...errors },
      },
    },
    async (req) => {
      const detailed = detailsFor(req.query.api_key);
      const r = await db.query<RequestRow>(`${SELECT_REQUEST} AND w.number = $1`, [req.params.service_request_id]);
      if (!r.rows[0]) throw DispatchErrors.OPEN311_REQUEST_NOT_FOUND({ id: req.params.service_request_id });
      return [toRequest(r.rows[0], detailed)];
    },
  );
};
