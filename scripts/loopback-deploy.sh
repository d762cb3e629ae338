#!/usr/bin/env bash
# The deployment of docs/deploy.md on this machine's loopback, with production settings: a throwaway PostgreSQL
# (tools/with_postgres.py), `trygg migrate`, `trygg collectstatic`, gunicorn with scripts/gunicorn.conf.py, nginx
# with scripts/nginx/trygg.conf and a self-signed certificate (as an unprivileged configuration on high ports),
# the task worker and the daily jobs; then checks over HTTPS through nginx with curl.
#
#   scripts/loopback-deploy.sh           deploy, check, tear everything down
#   scripts/loopback-deploy.sh --hold    deploy, check, print "READY <url> <directory>", keep running until
#                                        standard input closes (tests/deploy/test_loopback_deploy.py uses this)
# Needs nginx, openssl, curl and PostgreSQL's server binaries. No systemd, no public certificate.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$root/.venv}
if [ "${1:-}" != "--inside-postgres" ]; then
  exec "$venv/bin/python" "$root/tools/with_postgres.py" -- "$0" --inside-postgres "$@"
fi
shift
hold=false
[ "${1:-}" = "--hold" ] && hold=true
cd "$root"

free_port() { "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
say() { echo "loopback-deploy $(date +%T): $*" >&2; }

work=$(mktemp -d /tmp/trygg-loopback-XXXXXX)
# nginx's workers run as an unprivileged user when nginx starts as root: they must reach their temp directories.
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_LOOPBACK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

app_port=$(free_port)
https_port=$(free_port)
http_port=$(free_port)
url="https://127.0.0.1:$https_port"

# The environment file of docs/deploy.md (scripts/trygg.env.example) with loopback values, used as the server
# uses it: sourced for gunicorn and the worker (systemd's EnvironmentFile), and by scripts/trygg-admin.
secret=$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" -e "s|^ALLOWED_HOSTS=.*|ALLOWED_HOSTS=127.0.0.1|" \
  -e "s|^SITE_URL=.*|SITE_URL=$url|" -e "s|^DATABASE_URL=.*|DATABASE_URL=$DATABASE_URL|" \
  -e "s|^TRYGG_DATA_DIR=.*|TRYGG_DATA_DIR=$work/data|" -e "/^EMAIL_/d" scripts/trygg.env.example >"$work/trygg.env"
cat >>"$work/trygg.env" <<ENV
EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=$work/mail
ENV
set -a
. "$work/trygg.env"
set +a
admin() { TRYGG_ENV_FILE=$work/trygg.env TRYGG_APP=$root TRYGG_VENV=$venv TRYGG_USER=$(id -un) scripts/trygg-admin "$@"; }

say "Django's deployment checks"
admin check --deploy --fail-level WARNING >&2

say "database and migrate"
# On a server: `sudo -u postgres createdb --owner trygg trygg` (docs/deploy.md); here the cluster's superuser.
"$venv/bin/python" -c '
import os, psycopg
with psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
    connection.execute("CREATE DATABASE trygg")
'
# Migrations wait at most 5 s for a lock, so they never queue the site behind a long transaction.
PGOPTIONS="-c lock_timeout=5s" admin migrate --no-input >"$work/migrate.log"
say "collectstatic"
admin collectstatic --no-input >"$work/collectstatic.log"

say "gunicorn on 127.0.0.1:$app_port"
GUNICORN_BIND=127.0.0.1:$app_port GUNICORN_WORKERS=2 GUNICORN_ACCESS_LOG=$work/gunicorn-access.log \
  GUNICORN_ERROR_LOG=$work/gunicorn-error.log \
  "$venv/bin/gunicorn" -c scripts/gunicorn.conf.py trygg.wsgi &
pids+=($!)

say "task worker"
"$venv/bin/trygg" db_worker --interval 0.2 --no-startup-delay >"$work/worker.log" 2>&1 &
pids+=($!)

say "nginx on $url (and http://127.0.0.1:$http_port)"
scripts/selfsigned-cert.sh "$work/tls" >/dev/null
mkdir -p "$work/nginx/tmp" "$work/nginx/log" "$work/data/media/logos"
SERVER_NAME=127.0.0.1 HTTPS_PORT=$https_port HTTP_PORT=$http_port UPSTREAM=127.0.0.1:$app_port \
  CERTIFICATE=$work/tls/cert.pem CERTIFICATE_KEY=$work/tls/key.pem MEDIA_ROOT=$work/data/media \
  LOG_DIR=$work/nginx/log scripts/render-nginx.sh >"$work/nginx/trygg.conf"
# What Debian's /etc/nginx/nginx.conf provides, with every path in the work directory so no root is needed.
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/log/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    include $work/nginx/trygg.conf;
}
CONF
nginx -t -q -e "$work/nginx/log/error.log" -c "$work/nginx/nginx.conf"
nginx -e "$work/nginx/log/error.log" -c "$work/nginx/nginx.conf"

curl_tls() { curl --silent --show-error --fail --cacert "$work/tls/cert.pem" "$@"; }
for _ in $(seq 100); do
  curl_tls --output /dev/null "$url/healthz" 2>/dev/null && break
  sleep 0.2
done
say "checks through nginx"
[ "$(curl_tls "$url/healthz")" = "ok" ] || { say "health check failed"; exit 1; }
curl_tls --output /dev/null "$url/om/"

say "e-mail: a test message, and one queued for the worker"
admin sendtestemail admin@127.0.0.1 >&2
"$venv/bin/trygg" shell -c '
from django.db import transaction
from trygg.core.tasks import email_send_on_commit
with transaction.atomic():
    email_send_on_commit(subject="Loopback", body="The worker sends this.", to=["admin@127.0.0.1"])
' >&2
worker_sent() { grep -q -r "Subject: Loopback" "$work/mail" 2>/dev/null; }
for _ in $(seq 150); do
  worker_sent && break
  sleep 0.2
done
worker_sent || { say "the worker did not send the queued e-mail"; exit 1; }

say "the daily jobs and a backup"
admin run_scheduled --backup-root "$work/backups" >"$work/scheduled.log"
ls "$work"/backups/trygg-*/manifest.json >/dev/null

say "all checks passed"
if $hold; then
  echo "READY $url $work"
  read -r _ || true
fi
