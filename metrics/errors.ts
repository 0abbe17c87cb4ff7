/** metrics' refusals: report periods, /metrics access, and settings refused at start. */
import { defineErrors } from '../core/index.js';

export const MetricsErrors = defineErrors('metrics', {
  REPORT_DAY_INVALID: { status: 400, message: '"{name}" must be a calendar day as YYYY-MM-DD, got "{value}".' },
  REPORT_PERIOD_REVERSED: { status: 400, message: 'The period ends ({to}) before it starts ({from}): swap the two days.' },
  REPORT_PERIOD_TOO_LONG: { status: 400, message: 'The period has {days} days: ask for at most {max} at a time.' },
  METRICS_TOKEN_REQUIRED: {
    status: 401,
    message: 'GET /metrics needs the header "Authorization: Bearer <METRICS_TOKEN>" from this address.',
  },
  METRICS_ADDRESS_REFUSED: {
    status: 403,
    message:
      "GET /metrics is not open to {ip}: add the scraper's address to METRICS_ALLOW, or set METRICS_TOKEN and send it as a bearer token.",
  },
  METRICS_ALLOW_INVALID: {
    status: 400,
    message:
      'METRICS_ALLOW entry "{entry}" is not an address or CIDR range: use e.g. 127.0.0.1,10.0.0.0/8,::1 (or none for the token only).',
  },
  METRICS_TIMEZONE_UNKNOWN: {
    status: 400,
    message: 'METRICS_TIMEZONE={timezone} is not a time zone the database knows: use a name such as Asia/Shanghai.',
  },
});
