/**
 * The agent desk: the built React app served at `/` and the real-time channel at
 * /ws/events. The React sources are in src/ (built by Vite into dist/).
 */
export { type ConnectionState, mayReceive } from './server/audience.js';
export { type EventsChannelOptions, eventsChannel, type ServerFrame } from './server/events-channel.js';
export { DEFAULT_DIST_DIR, isServerPath, SERVER_PREFIXES, staticApp } from './server/static-app.js';

import type { Setting } from '../core/index.js';

export const DESK_SETTINGS = [
  { env: 'DESK_DIST_DIR', kind: 'path', help: 'folder of the built desk (default: agent-desk/dist of this installation)' },
] as const satisfies readonly Setting[];
