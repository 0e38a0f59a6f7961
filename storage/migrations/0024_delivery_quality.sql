-- Buyers pay by the same measurements (issue 17, rafaksi): where the cooperative's rafaksi
-- table for the sale's produce is in force at a delivery, the buyer's readings, the cut they
-- give per base unit (whole rupiah) and the table it came from are kept on the delivery; its
-- invoice line is then accepted × (contract price − cut), never below zero. Deliveries
-- recorded without readings keep cut 0: their invoice is as it was.
ALTER TABLE deliveries ADD COLUMN moisture TEXT;
ALTER TABLE deliveries ADD COLUMN foreign_matter TEXT;
ALTER TABLE deliveries ADD COLUMN cut_rupiah INTEGER NOT NULL DEFAULT 0 CHECK (cut_rupiah >= 0);
ALTER TABLE deliveries ADD COLUMN rafaksi_table_id INTEGER REFERENCES rafaksi_tables (id);
