-- Telephony: agents' phone states (set from the desk, read by the call queue and the
-- wallboard), and the progress of transfers.
CREATE TABLE agent_states (
  user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  state       text NOT NULL CHECK (state IN ('available', 'on_call', 'after_call', 'paused', 'offline')),
  since       timestamptz NOT NULL DEFAULT now()
);

-- SIP progress of a transfer (REFER NOTIFYs or the bridged leg's final status).
ALTER TABLE referrals ADD COLUMN sip_status int;
ALTER TABLE referrals ADD COLUMN detail text;

CREATE INDEX calls_agent ON calls (agent_id, arrived_at);
CREATE INDEX transcript_segments_call ON transcript_segments (call_id, seq);
