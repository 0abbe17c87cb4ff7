-- Part of the original 0001_foundation, now the dispatch module's own. A database migrated
-- before the split has these tables already: the migrator records this file without
-- running it (the skip-if-exists line below).
-- skip-if-exists: calendar_days

-- Working-day calendar: public holidays and make-up workdays (调休) by date.
CREATE TABLE calendar_days (
  day   date PRIMARY KEY,
  kind  text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name  text
);
