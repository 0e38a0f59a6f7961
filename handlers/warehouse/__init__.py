"""The warehouse (gudang): pickups brought in with their shrink, and the keeper's work
(drying, processing, sorting, losses) on the stock of their warehouse."""
