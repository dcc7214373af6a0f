# Hamstring Coach: `hamstring-coach serve` in a container. How to build and run it, and what
# to put in front of it: docs/deploy.md, "Run it in a container".
#
#   docker build -t hamstring-coach .
#   docker run -d --name coach -e SKILL_ID=amzn1.ask.skill.... -p 127.0.0.1:8000:8000 \
#       -v coach-data:/var/lib/hamstring-coach hamstring-coach
#
# SKILL_ID must be given at run time: without it `serve` exits with status 2 and says why.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The service's own unprivileged user; its data directory is the volume below.
RUN groupadd --system --gid 10001 coach \
    && useradd --system --uid 10001 --gid coach --home-dir /var/lib/hamstring-coach \
        --no-create-home --shell /usr/sbin/nologin coach \
    && install -d -o coach -g coach -m 0700 /var/lib/hamstring-coach /run/hamstring-coach

# Install the package from the checkout (not editable): only what the wheel is built from.
WORKDIR /build
COPY pyproject.toml README.md ./
COPY skill ./skill
COPY interaction_model ./interaction_model
COPY audio/__init__.py audio/manifest.json ./audio/
RUN pip install . && cd / && rm -rf /build

# The user data directory is $XDG_DATA_HOME/hamstring-coach = /var/lib/hamstring-coach: the
# default SQLite file (progress.sqlite3), the pending-deletions file and build-audio's clips.
# With PostgreSQL (SKILL_DATABASE_URL) the pending-deletions file still lives here.
# gunicorn's control socket (for gunicornc) goes to $XDG_RUNTIME_DIR/gunicorn.ctl, not the volume.
ENV XDG_DATA_HOME=/var/lib \
    XDG_RUNTIME_DIR=/run/hamstring-coach
VOLUME ["/var/lib/hamstring-coach"]
WORKDIR /var/lib/hamstring-coach

USER coach:coach
EXPOSE 8000

# 200 when progress can be saved, 503 when not (urlopen raises on both 503 and no answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# gunicorn's master is PID 1 and stops gracefully on SIGTERM, letting workers finish their
# requests for up to 10 s: stop with `docker stop -t 20` (compose: stop_grace_period: 20s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["hamstring-coach"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
