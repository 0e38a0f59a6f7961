"""All SQL of koperasi-bot lives in this package (aiosqlite, parameterised, in transactions)."""
