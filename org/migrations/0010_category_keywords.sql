-- What a category is about, in the words citizens use: the leaf proposer (classifier/leaf.ts)
-- matches the keywords and the description against a case text. NULL means "not set here":
-- the shipped catalogue's words (org/category-keywords.json) count for a shipped code; an
-- empty array means the site cleared them on purpose. updated_at lets processes see edits.
ALTER TABLE categories
  ADD COLUMN description text,
  ADD COLUMN keywords    text[],
  ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- Any edit of a category (its department through /api/routing/categories too) moves
-- updated_at, so the classifier's cached index notices it.
CREATE FUNCTION categories_touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER categories_touch BEFORE UPDATE ON categories FOR EACH ROW EXECUTE FUNCTION categories_touch();
