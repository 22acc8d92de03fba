# The production image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/srv/var
# Pango/HarfBuzz for WeasyPrint's Burmese shaping; ICU (and, to build PyICU, its headers and a
# compiler) for the Zawgyi converter and Burmese collation.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      libicu72 libicu-dev pkg-config g++ gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && useradd --system --home /srv pressroom && mkdir -p /srv/var && chown pressroom /srv/var
USER pressroom
# Throwaway keys for the build steps: otherwise DEBUG=1 would make key files in the image.
RUN export DEBUG=1 SECRET_KEY=build-only SUPPRESSION_KEY=build-only \
 && python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore=.venv || true
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
