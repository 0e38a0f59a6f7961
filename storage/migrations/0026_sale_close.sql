-- A sale closed short (issue 17, lane windowsee): an administrator ends a sale whose lot is
-- not all delivered; the kilos still in the lot went back to their stock batches. Set once
-- (the close is a conditional UPDATE on closed_at IS NULL): a replay returns nothing twice.
ALTER TABLE sales ADD COLUMN closed_at BIGINT;
ALTER TABLE sales ADD COLUMN closed_by INTEGER REFERENCES people (id);
-- the kilos given back to stock at the close, exact decimal text in base units
ALTER TABLE sales ADD COLUMN returned TEXT;
