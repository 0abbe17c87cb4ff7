-- callback/: the calls callback staff place to citizens (click-to-call). A callback may be
-- called several times (attempts); each call row names its callback, and through it the
-- work order, so a case's callback calls can be listed and audited.
ALTER TABLE calls ADD COLUMN callback_id bigint REFERENCES callbacks (id) ON DELETE SET NULL;
CREATE INDEX calls_callback ON calls (callback_id) WHERE callback_id IS NOT NULL;
