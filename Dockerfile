# syntax=docker/dockerfile:1
# ITAM ledger: build a wheel with its dependencies in one stage, run it slim and unprivileged in the next.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN python -m venv /opt/itam \
 && /opt/itam/bin/pip install --upgrade pip \
 && /opt/itam/bin/pip install .

FROM python:3.11-slim AS run
ENV PATH=/opt/itam/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ITAM_DATABASE_URL=sqlite+aiosqlite:////data/itam.db
RUN groupadd --system itam && useradd --system --gid itam --home-dir /data --shell /usr/sbin/nologin itam \
 && mkdir -p /data && chown itam:itam /data
COPY --from=build /opt/itam /opt/itam
# The migrations travel beside the installed package (app/migrate.py finds them next to app/).
COPY --from=build /src/migrations /opt/itam/lib/python3.11/site-packages/migrations
USER itam
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
ENTRYPOINT ["itam"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
