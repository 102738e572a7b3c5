# The portal's image: gunicorn, Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1
WORKDIR /app

# 1. Dependencies, exactly as locked: this layer is rebuilt only when the lock file changes.
COPY requirements/base.lock /tmp/base.lock
RUN pip install --require-hashes -r /tmp/base.lock && rm /tmp/base.lock

# 2. The project as a wheel (templates, static files, compiled translations and region data are
#    package data: pyproject.toml, MANIFEST.in), then the static files collected and hashed once,
#    at build time. /app holds no source: the code runs from site-packages.
COPY . /tmp/src
RUN pip install --no-deps /tmp/src && rm -rf /tmp/src \
    && django-admin collectstatic --noinput --verbosity 0 \
    && useradd --create-home portal \
    && mkdir -p /data/media && chown portal /data/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
