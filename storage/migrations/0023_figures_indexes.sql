-- Figures of the market (issue 17): /rekap, the dashboard's rekap and `report offtake` read a
-- period of a million pickups. A month of one cooperative is ~80,000 of them: joining each
-- to its offer for the cooperative, produce, farmer and village cost two random reads per
-- pickup (0.7 s at p50 on bench.market). So the weighing copies those onto the pickup
-- (storage.figures.record_pickup, in the same transaction) and one covering index answers
-- every purchase figure of a period from its own pages.

ALTER TABLE pickups ADD COLUMN org_id INTEGER REFERENCES organisations (id);
ALTER TABLE pickups ADD COLUMN farmer_id INTEGER REFERENCES people (id);
ALTER TABLE pickups ADD COLUMN village_code TEXT;
ALTER TABLE pickups ADD COLUMN commodity TEXT;
-- The weight found in thousandths of the base unit (grams for kg), so that SQL sums it
-- exactly on both databases (pickups.quantity stays the exact decimal text people read).
ALTER TABLE pickups ADD COLUMN quantity_milli BIGINT;

-- Pickups weighed before this migration.
UPDATE pickups SET
    org_id = (SELECT o.org_id FROM offers o WHERE o.id = pickups.offer_id),
    farmer_id = (SELECT o.farmer_id FROM offers o WHERE o.id = pickups.offer_id),
    village_code = (SELECT o.village_code FROM offers o WHERE o.id = pickups.offer_id),
    commodity = (SELECT o.commodity FROM offers o WHERE o.id = pickups.offer_id),
    quantity_milli = CAST(ROUND(CAST(quantity AS NUMERIC) * 1000) AS BIGINT)
    WHERE picked_up_at IS NOT NULL AND quantity IS NOT NULL;

-- Bought, farmers, villages, purchases by village, the weekly chart: a range of this index.
CREATE INDEX pickups_figures ON pickups (org_id, picked_up_at, commodity, grade, quantity_milli, amount_rupiah, farmer_id, village_code);
-- Bought per produce and grade: one range per produce × grade, read in the index's order
-- (a GROUP BY over the time-ordered index above sorts the month's pickups: 6× slower).
CREATE INDEX pickups_figures_produce ON pickups (org_id, commodity, grade, picked_up_at, quantity_milli, amount_rupiah);
-- Receipts not paid yet per cooperative (owed to farmers).
CREATE INDEX offers_org_status ON offers (org_id, status, id);
-- The ledger entries of a period, as an id range (sold, margin).
CREATE INDEX ledger_entries_at ON ledger_entries (at);
-- Invoices of a period and those not paid (sold kilos, sales by buyer, owed by buyers).
CREATE INDEX invoices_org_issued ON invoices (org_id, issued_at);
CREATE INDEX invoices_org_status ON invoices (org_id, status);
-- Deliveries of a period (the weekly chart's volume sold).
CREATE INDEX deliveries_org_delivered ON deliveries (org_id, delivered_at);
