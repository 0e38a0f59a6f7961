"""The bot's web face: the dashboard (a Telegram Mini App) and the demo page. It stands beside
handlers/: it reads storage use cases and renders, and never imports handlers."""
