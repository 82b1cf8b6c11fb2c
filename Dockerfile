# Production image: the app, gunicorn and the Celery worker/beat share it (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.prod
WORKDIR /app
# Pango and the DejaVu fonts for WeasyPrint's PDFs (the customer responsibility matrix).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.txt
COPY . .
# Static files (ours, the admin's, htmx, Swagger UI, ReDoc) hashed and compressed for WhiteNoise.
RUN SECRET_KEY=build-only CELERY_TASK_ALWAYS_EAGER=true python manage.py collectstatic --noinput
RUN useradd --system --home /app caiq && mkdir -p /data && chown caiq /data
USER caiq
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
