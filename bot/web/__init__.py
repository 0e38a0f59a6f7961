"""The bot's web pages (the demo's chat page, the dashboard): they read storage and render,
beside handlers/, never importing them."""
