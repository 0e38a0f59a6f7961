"""koperasi-bot: the Telegram front door of union cooperatives (Koperasi Merah Putih)."""

__version__ = "0.1.0"
