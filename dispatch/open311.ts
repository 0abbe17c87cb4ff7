/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): grid members' apps and
 * citizen photo-report apps (随手拍) submit cases the standard way. Services are the
 * categories; requests become work orders with channel 'open311', straight into the
 * dispatch queue. This file reads and shapes requests; routes/open311.ts is the API.
 */
import { maskText, openNumbersInText } from '../core/index.js';
import { DispatchErrors } from './errors.js';
import { FINAL_STATES, type State } from './states.js';

export const CLOSED: readonly State[] = FINAL_STATES;

export interface RequestRow {
  number: string;
  state: State;
  replyText: string | null;
  closeReason: string | null;
  serviceName: string | null;
  serviceCode: string | null;
  description: string;
  agency: string | null;
  createdAt: Date;
  updatedAt: Date;
  deadlineAt: Date | null;
  address: string | null;
  addressId: string | null;
  lat: number | null;
  lng: number | null;
  mediaUrl: string | null;
}

// Only what the Open311 intake itself created (no desk user: created_by is null).
export const SELECT_REQUEST = `SELECT w.number, w.state, w.reply_text AS "replyText", w.close_reason AS "closeReason", c.name AS "serviceName",
    c.code AS "serviceCode", w.description, d.name AS agency, w.created_at AS "createdAt", w.updated_at AS "updatedAt",
    w.deadline_at AS "deadlineAt", w.address, p.code AS "addressId", w.lat, w.lng, w.media_url AS "mediaUrl"
  FROM work_orders w LEFT JOIN categories c ON c.id = w.category_id LEFT JOIN org_units d ON d.id = w.department_id
  LEFT JOIN org_units p ON p.id = w.place_unit_id
  WHERE w.channel = 'open311' AND w.created_by IS NULL`;

/**
 * A request as a client sees it. Where, what and the department's answer (address,
 * coordinates, photo, description, status notes) only with an api_key or where the site
 * opted in (OPEN311_PUBLIC_DETAILS): a citizen's report names their door and often their number.
 */
export function toRequest(r: RequestRow, detailed: boolean) {
  const closed = CLOSED.includes(r.state);
  const notes =
    r.state === 'merged'
      ? '已与同一问题的其他诉求合并办理'
      : r.state === 'referred_110'
        ? '已转110处置'
        : closed && detailed && r.replyText
          ? maskText(r.replyText)
          : null;
  const hidden = { description: null, address: null, address_id: null, lat: null, long: null, media_url: null };
  return {
    service_request_id: r.number,
    status: closed ? 'closed' : 'open',
    status_notes: notes,
    service_name: r.serviceName,
    service_code: r.serviceCode,
    description: maskText(openNumbersInText(r.description)),
    agency_responsible: r.agency,
    service_notice: null,
    requested_datetime: new Date(r.createdAt).toISOString(),
    updated_datetime: new Date(r.updatedAt).toISOString(),
    expected_datetime: r.deadlineAt ? new Date(r.deadlineAt).toISOString() : null,
    address: r.address,
    address_id: r.addressId,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    media_url: r.mediaUrl,
    ...(detailed ? {} : hidden),
  };
}

export function parseW3cTime(value: string | undefined, name: string): string | undefined {
  if (value == null || value === '') return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw DispatchErrors.OPEN311_INVALID_TIME({ field: name });
  return new Date(t).toISOString();
}

export function parseCoordinate(value: string | undefined, name: string, limit: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw DispatchErrors.OPEN311_INVALID_COORDINATE({ field: name, limit });
  return n;
}
