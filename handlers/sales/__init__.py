"""The cooperative's sales, for its administrators (/penjualan): buyers, sale contracts with
their lots, deliveries with their surat jalan, invoices (faktur) and payments."""
