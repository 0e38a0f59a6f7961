"""What tests ask the database about its own schema, on either database."""

from __future__ import annotations


async def table_exists(db, name: str) -> bool:
    if db.dialect == "postgresql":
        sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
    else:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return await db.fetchone(sql, (name,)) is not None


async def column_names(db, table: str) -> list[str]:
    if db.dialect == "postgresql":
        rows = await db.fetchall(
            "SELECT column_name AS name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    else:
        rows = await db.fetchall(f"SELECT name FROM pragma_table_info('{table}')")
    return [row["name"] for row in rows]
