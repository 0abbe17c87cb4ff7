-- Personal fields sealed at rest (core/personal-data.ts): caller_name and caller_phone
-- hold "enc1:<key id>:<base64>" values; the keyed hash of the phone number finds a
-- caller's cases without the number in clear. The plain phone index goes: it would index
-- ciphertext.
ALTER TABLE work_orders ADD COLUMN caller_phone_hash text;
CREATE INDEX work_orders_phone_hash ON work_orders (caller_phone_hash) WHERE caller_phone_hash IS NOT NULL;
DROP INDEX IF EXISTS work_orders_phone;
