-- A cooperative's postal address, printed at the top of its members' savings statements
-- (`koperasi-bot org address CODE "Jl. …"`).
ALTER TABLE organisations ADD COLUMN address TEXT;
