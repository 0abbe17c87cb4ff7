/**
 * The server ends a session after SESSION_IDLE_MINUTES without a request. The desk is
 * "in use" while someone types, clicks, scrolls or touches it: then, when no request has
 * gone out for a minute, a heartbeat does. An open tab nobody touches (the real-time
 * WebSocket included) keeps no session alive, so a desk left logged in on a shared PC
 * logs itself out. The exception is an agent in the call queue (setOnDuty).
 */
const QUIET_MS = 60_000;
const CHECK_MS = 15_000;

let lastInput = 0;
let lastRequest = Date.now();

/** Every API request moves the server's idle clock; the desk notes when it sent one. */
export function noteRequest() {
  lastRequest = Date.now();
}

let onDuty = false;

/**
 * An agent who is in the queue (空闲, on a call, in wrap-up) is at work even without
 * touching the desk: waiting for the next call must not log them out. Paused or offline,
 * the usual rule applies.
 */
export function setOnDuty(value: boolean) {
  onDuty = value;
}

let started = false;

export function startActivityHeartbeat(beat: () => void) {
  if (started || typeof window === 'undefined') return;
  started = true;
  const input = () => {
    lastInput = Date.now();
  };
  for (const e of ['pointerdown', 'keydown', 'wheel', 'touchstart']) window.addEventListener(e, input, { passive: true, capture: true });
  setInterval(() => {
    if ((onDuty || lastInput > lastRequest) && Date.now() - lastRequest >= QUIET_MS) beat();
  }, CHECK_MS);
}
