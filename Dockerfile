# Kyoso's image: web, worker, beat and migrate all run it (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Exactly the locked versions, every file checked against its hash (`make lock` refreshes it).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# The same steps run in CI (.ci/run, "production static files"): translations, then the hashed
# static files and their manifest, which whitenoise serves.
RUN python -m consortium.i18n_build \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput -v 0
RUN useradd --create-home kyoso && mkdir -p /data/media /data/private && chown kyoso /data/media /data/private
USER kyoso
EXPOSE 8000
