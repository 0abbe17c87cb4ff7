-- The caller's number sealed at rest (core/personal-data.ts), with its keyed search hash.
ALTER TABLE calls ADD COLUMN caller_number_hash text;
CREATE INDEX calls_caller_hash ON calls (caller_number_hash) WHERE caller_number_hash IS NOT NULL;
