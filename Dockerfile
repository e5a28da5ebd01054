FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e . 
COPY . .
RUN python -m consortium.i18n_build \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput
RUN useradd --create-home kyoso && mkdir -p /data/media /data/private && chown kyoso /data/media /data/private
USER kyoso
EXPOSE 8000
