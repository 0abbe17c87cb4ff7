/**
 * dispatch's coded errors (core/errors.ts): what the work-order API, the routing catalogue,
 * the calendar, the knowledge base and Open311 refuse, each with a stable code the desk
 * renders in Chinese from the code and params. Open311 answers its errors in the standard's
 * shape ([{code: status, description: message}]), so its clients see the message only.
 */
import { defineErrors } from '../core/index.js';

export const DispatchErrors = defineErrors('dispatch', {
  // Work orders
  WORK_ORDER_NOT_FOUND: { status: 404, message: 'Work order {id} does not exist: list cases with GET /api/work-orders.' },
  WORK_ORDER_NOT_VISIBLE: {
    status: 403,
    message: "Work order {number} is not assigned to your unit: handlers see only their unit's cases.",
  },
  WORK_ORDER_STATE_UNKNOWN: { status: 400, message: 'Unknown state {states}: use {allowed}.' },
  OPEN311_CHANNEL_RESERVED: {
    status: 403,
    message:
      'Channel open311 is for cases submitted through Open311 (POST /open311/v2/requests.json) only; a case taken on the desk uses hotline, web or grid.',
  },
  WORK_ORDER_DESCRIPTION_EMPTY: { status: 400, message: 'The description is empty: say what the caller reported.' },
  WORK_ORDER_PHONE_INVALID: {
    status: 400,
    message: `Caller phone "{phone}" is not a phone number: use digits, spaces, '-' or a leading '+'.`,
  },
  WORK_ORDER_CALL_NOT_FOUND: {
    status: 400,
    message: 'Call {callId} does not exist: link the case to a recorded call or leave callId out.',
  },
  WORK_ORDER_PLACE_INVALID: {
    status: 400,
    message: 'Place {placeUnitId} is not a street, community or grid: list them with GET /api/org-units.',
  },

  // Transitions
  ACTION_UNKNOWN: { status: 400, message: 'Unknown action "{action}": use one of {actions}.' },
  ACTION_NOT_ALLOWED: {
    status: 403,
    message: "Your role {role} ({roleZh}) may not '{action}' ({actionZh}): allowed for {allowed}.",
  },
  /** A narrower rule of the role (states.ts roleFrom / ownCaseOnly). */
  ACTION_LIMITED_FOR_ROLE: {
    status: 403,
    message: "Role {role} ({roleZh}) may '{action}' ({actionZh}) only {limit}; {why}: allowed for {allowed}.",
  },
  WORK_ORDER_OTHER_UNIT: {
    status: 403,
    message: 'Work order {number} is assigned to {department}; handlers act only on cases of their own unit or the units below it.',
  },
  VERSION_CONFLICT: {
    status: 409,
    message:
      'Work order {number} was changed by someone else since you loaded it (you had version {yourVersion}, it is now version {version}, {stateZh}): reload it and decide again.',
  },
  ACTION_NOT_POSSIBLE_IN_STATE: {
    status: 409,
    message:
      "Work order {number} is {stateZh} ({state}): '{action}' ({actionZh}) is possible only when it is {fromZh}. Reload the case to see what happened.",
  },
  WORK_ORDER_CHANGED_CONCURRENTLY: {
    status: 409,
    message: 'Work order {number} was changed by someone else at the same moment: reload it and decide again.',
  },
  WORK_ORDER_BUSY: {
    status: 409,
    message: 'Work order {id} was being changed by someone else at the same moment: reload it and decide again.',
  },
  ACTION_FIELD_REQUIRED: { status: 400, message: `Action '{action}' needs "{field}": {what}.` },
  KB_ARTICLE_NOT_USABLE: {
    status: 404,
    message: 'Knowledge article {id} does not exist or is inactive: search with GET /api/knowledge.',
  },
  DISPATCH_NO_DEPARTMENT: {
    status: 400,
    message: 'The routing catalogue names no department for this category: give "departmentId" to dispatch the case.',
  },
  DISPATCH_DEADLINE_IN_PAST: {
    status: 400,
    message: '"deadlineAt" is in the past: give a future time or leave it to the catalogue.',
  },
  REOPEN_DEADLINE_IN_PAST: { status: 400, message: '"deadlineAt" is in the past: give a future time.' },
  MERGE_INTO_SELF: { status: 400, message: 'A case cannot be merged into itself: choose another targetId.' },
  MERGE_TARGET_NOT_FOUND: { status: 404, message: 'Work order {id} does not exist: choose an open case to merge into.' },
  MERGE_TARGET_CLOSED: { status: 409, message: 'Work order {number} is {stateZh}: merge only into an open case.' },
  EXTENSION_DEADLINE_TOO_EARLY: {
    status: 400,
    message: 'The new deadline must be later than the current one ({current}) and than now.',
  },
  EXTENSION_ALREADY_PENDING: {
    status: 409,
    message: "Work order {number} already has a pending extension request: wait for the dispatcher's decision.",
  },
  EXTENSION_NOT_PENDING: {
    status: 409,
    message: 'Work order {number} has no pending extension request to decide: reload the case.',
  },
  FORWARD_NOT_BELOW: {
    status: 403,
    message: '{unit} is not below your unit: a case is forwarded only down the organisation tree.',
  },
  CLOSE_NEEDS_OUTCOME: {
    status: 400,
    message:
      'A case closes after its callback: give "callbackOutcome", or a "reason" when no callback is possible (e.g. anonymous caller who declined contact).',
  },
  CLOSE_UNSATISFIED_NEEDS_REASON: {
    status: 400,
    message: 'The citizen was not satisfied: reopen the case (重办), or give a "reason" to close it anyway.',
  },
  CLOSE_NEEDS_REASON: {
    status: 400,
    message: 'Closing a case that was not handled needs a "reason" (e.g. duplicate, not a 12345 matter).',
  },
  REOPEN_NEVER_DISPATCHED: {
    status: 409,
    message: 'Work order {number} was never dispatched to a department: dispatch it instead.',
  },

  // Routing catalogue
  ROUTING_CATEGORY_NOT_FOUND: { status: 404, message: 'Category {id} does not exist: list them with GET /api/categories.' },
  ROUTING_CATEGORY_INACTIVE: { status: 400, message: 'Category {name} is inactive: choose an active category.' },
  /** `what`: Department, Unit or Proposed department. */
  ROUTING_UNIT_NOT_FOUND: { status: 404, message: '{what} {id} does not exist: list units with GET /api/org-units.' },
  ROUTING_UNIT_INACTIVE: { status: 400, message: '{what} {name} is inactive: choose an active unit.' },
  ROUTING_UNIT_NOT_HANDLING: {
    status: 400,
    message: '{name} is the {kind}, not a handling unit: choose a department, street, community or grid.',
  },
  ROUTING_PLACE_NOT_FOUND: {
    status: 404,
    message: 'Place {id} does not exist: list streets, communities and grids with GET /api/org-units.',
  },
  ROUTING_PLACE_KIND_INVALID: {
    status: 400,
    message: 'Unit {id} is a {kind}: a place override needs a street, community or grid.',
  },
  ROUTING_OVERRIDE_DUPLICATE: {
    status: 409,
    message: 'This category already has an override at this place: delete or change that one.',
  },
  ROUTING_OVERRIDE_NOT_FOUND: { status: 404, message: 'Routing override {id} does not exist.' },

  // Calendar
  CALENDAR_DAY_INVALID: { status: 400, message: '"{day}" is not a date: write days as YYYY-MM-DD.' },
  CALENDAR_DAY_OUTSIDE_YEAR: {
    status: 400,
    message: "{day} is not in {year}: send each year's days to its own /api/calendar/{year}.",
  },
  CALENDAR_DAY_DUPLICATE: { status: 400, message: '{day} is listed twice: give each day once.' },

  // Knowledge base
  KB_ARTICLE_NOT_FOUND: {
    status: 404,
    message: 'Knowledge article {id} does not exist: search with GET /api/knowledge?q=...',
  },

  // Open311 (GeoReport v2)
  OPEN311_RESOURCE_NOT_FOUND: { status: 404, message: 'no such Open311 resource: {path}; see /docs' },
  OPEN311_INVALID_TIME: { status: 400, message: '{field} must be a w3 date-time, e.g. 2026-11-23T09:00:00+08:00' },
  OPEN311_INVALID_COORDINATE: {
    status: 400,
    message: '{field} must be a number between -{limit} and {limit} (WGS84 degrees)',
  },
  OPEN311_API_KEY_INVALID: { status: 403, message: 'api_key is not valid; leave it out for the public view' },
  OPEN311_DISABLED: {
    status: 403,
    message: 'Open311 submission is not enabled on this server (no OPEN311_API_KEYS configured)',
  },
  OPEN311_API_KEY_REQUIRED: { status: 403, message: 'api_key is missing or not valid' },
  OPEN311_SERVICE_CODE_REQUIRED: {
    status: 400,
    message: 'service_code is required; list services with GET services.json',
  },
  OPEN311_SERVICE_NOT_FOUND: {
    status: 404,
    message: 'service_code {serviceCode} not found; list services with GET services.json',
  },
  OPEN311_COORDINATES_UNPAIRED: { status: 400, message: 'lat and long must be given together' },
  OPEN311_ADDRESS_ID_UNKNOWN: {
    status: 400,
    message: 'address_id {addressId} is not a known street, community or grid code',
  },
  OPEN311_LOCATION_REQUIRED: {
    status: 400,
    message: 'a location is required: lat and long, or address_string, or address_id',
  },
  OPEN311_MEDIA_URL_INVALID: { status: 400, message: 'media_url must be an http(s) URL' },
  OPEN311_EMAIL_INVALID: { status: 400, message: 'email is not a valid address' },
  OPEN311_PHONE_INVALID: { status: 400, message: 'phone is not a valid phone number' },
  OPEN311_DATE_RANGE_INVALID: { status: 400, message: 'start_date is after end_date' },
  OPEN311_STATUS_INVALID: { status: 400, message: 'status must be open, closed, or open,closed' },
  OPEN311_REQUEST_NOT_FOUND: { status: 404, message: 'service_request_id {id} not found' },
});
