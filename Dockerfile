# koperasi-bot in a container: non-root, the database in the /data volume, files 0600.
#   docker build -t koperasi-bot .                  # --build-arg POSTGRES=yes: for PostgreSQL
#   docker run -d --name koperasi -v koperasi-data:/data -e TELEGRAM_BOT_TOKEN=… \
#       -e KOPERASI_METRICS_PORT=9464 koperasi-bot
# More in README.md, "Operations".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# --build-arg POSTGRES=yes: psycopg for KOPERASI_DB_URL, and pg_dump/pg_restore/psql for
# koperasi-bot backup/restore (bookworm's client is 15: for servers up to PostgreSQL 15).
ARG POSTGRES=no
RUN if [ "$POSTGRES" = yes ]; then \
        apt-get update && apt-get install -y --no-install-recommends postgresql-client \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# A user of its own (no login, no home but the data); /data its only writable place.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin koperasi \
    && install -d -m 0700 -o koperasi -g koperasi /data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
COPY emulator ./emulator
RUN if [ "$POSTGRES" = yes ]; then pip install ".[postgres]"; else pip install .; fi \
    && rm -rf /src

ENV KOPERASI_DB_PATH=/data/koperasi.sqlite3
VOLUME ["/data"]
WORKDIR /data
USER koperasi

# SIGTERM: the bot stops within about 5 s (docker stop waits 10 s before SIGKILL).
STOPSIGNAL SIGTERM
# With KOPERASI_METRICS_PORT set, the container is healthy while /healthz answers 200 (the
# database answers and the updater runs); without it, only that the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('KOPERASI_METRICS_PORT', '0'); sys.exit(0) if port in ('', '0') else urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]

# umask 0077: the database, its -wal and the backups are the owner's only (the bot also
# creates its database 0600 itself).
ENTRYPOINT ["/bin/sh", "-c", "umask 0077 && exec koperasi-bot \"$@\"", "koperasi-bot"]
CMD ["run"]
