-- Logins hardened (#14): forced password change, per-account lockout, two-factor (TOTP)
-- with recovery codes, idle timeout and a cap of sessions per user.
ALTER TABLE users
  -- Set for a first admin with a generated password and after an admin's reset.
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
  -- The demo district's users, whose password is published: never forced to change it,
  -- and named as such at start so nobody mistakes a demo install for a real one.
  ADD COLUMN demo                 boolean NOT NULL DEFAULT false,
  ADD COLUMN password_changed_at  timestamptz,
  -- Wrong passwords (or codes) in a row; reaching the limit locks the account until
  -- locked_until, for longer after each lockout in a row (lockouts).
  ADD COLUMN failed_logins        int NOT NULL DEFAULT 0,
  ADD COLUMN lockouts             int NOT NULL DEFAULT 0,
  ADD COLUMN locked_until         timestamptz,
  -- The confirmed TOTP secret (base32); the one being enrolled waits in totp_pending
  -- until a code proves the app has it. totp_last_step refuses a code played twice.
  ADD COLUMN totp_secret          text,
  ADD COLUMN totp_pending         text,
  ADD COLUMN totp_last_step       bigint;

ALTER TABLE sessions
  ADD COLUMN last_seen_at  timestamptz NOT NULL DEFAULT now(),
  -- A session that may only finish the login: change the password, or enrol TOTP.
  ADD COLUMN pending       text CHECK (pending IN ('password', 'totp_enrol'));

-- One-time codes that stand in for the TOTP code when the phone is lost; SHA-256 only.
CREATE TABLE recovery_codes (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
