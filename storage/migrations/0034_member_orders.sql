-- A union member's order in a hub's order cycle (issue 18): the membership (roster entry) whose
-- sukarela pays it or whose payroll is deducted for it, and its pickup at the member's PUK.
-- orderer_kind 'person', person_id, pay_by and hold_reference came with 0029. A sukarela hold is
-- no ledger entry: it is the order itself while it is live and not picked up (open or frozen),
-- so a cancel releases it and the pickup's posting (one entry, the hold's reference) ends it.
ALTER TABLE cycle_orders ADD COLUMN roster_id INTEGER REFERENCES roster (id);
ALTER TABLE cycle_orders ADD COLUMN picked_up_by INTEGER REFERENCES people (id);
ALTER TABLE cycle_orders ADD COLUMN picked_up_at BIGINT;
CREATE INDEX cycle_orders_roster ON cycle_orders (roster_id, status);
CREATE INDEX cycle_orders_pickup ON cycle_orders (org_id, status, orderer_kind);
