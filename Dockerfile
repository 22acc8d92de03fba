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
# The production storage's manifest is written only with DEBUG=0 (without it every page would
# answer 500; the pressroom.E001 check stops start-up instead). Throwaway keys for these build
# steps, so no key file ends up in the image.
RUN export DEBUG=0 ALLOWED_HOSTS=build SECRET_KEY=build-only SUPPRESSION_KEY=build-only \
 && python manage.py collectstatic --noinput \
 && (python manage.py compilemessages --ignore=.venv || true)
USER pressroom
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
