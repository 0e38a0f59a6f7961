-- Figures of the market (issue 17): /rekap, the dashboard's rekap and `report offtake` read a
-- period of a million pickups; these indexes keep each figure a range scan.

-- Pickups weighed in a period (bought, farmers, villages, the weekly chart).
CREATE INDEX pickups_picked_up ON pickups (picked_up_at);
-- Receipts not paid yet per cooperative (owed to farmers).
CREATE INDEX offers_org_status ON offers (org_id, status, id);
-- The ledger entries of a period, as an id range (sold, margin).
CREATE INDEX ledger_entries_at ON ledger_entries (at);
-- Invoices of a period and those not paid (sold kilos, sales by buyer, owed by buyers).
CREATE INDEX invoices_org_issued ON invoices (org_id, issued_at);
CREATE INDEX invoices_org_status ON invoices (org_id, status);
-- Deliveries of a period (the weekly chart's volume sold).
CREATE INDEX deliveries_org_delivered ON deliveries (org_id, delivered_at);
