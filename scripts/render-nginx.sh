#!/usr/bin/env bash
# Fill in scripts/nginx/trygg.conf from the environment and print it:
#   SERVER_NAME=trygg.example.se CERTIFICATE=... CERTIFICATE_KEY=... scripts/render-nginx.sh > /etc/nginx/sites-available/trygg
# Optional: HTTPS_PORT (443), HTTP_PORT (80), UPSTREAM (127.0.0.1:8000; several application nodes separated by
# commas, e.g. 10.0.0.11:8000,10.0.0.12:8000), MEDIA_ROOT (/srv/trygg/media), LOG_DIR (/var/log/nginx).
# On a machine without IPv6 the [::] listeners are left out.
set -euo pipefail
template="$(dirname "$0")/nginx/trygg.conf"
: "${SERVER_NAME:?set SERVER_NAME}" "${CERTIFICATE:?set CERTIFICATE}" "${CERTIFICATE_KEY:?set CERTIFICATE_KEY}"
ipv6_filter='^$'
[ -e /proc/net/if_inet6 ] || ipv6_filter='listen \[::\]'
# The upstream's server line is repeated for each node.
grep -v -e "$ipv6_filter" "$template" | awk -v nodes="${UPSTREAM:-127.0.0.1:8000}" '
  /@@UPSTREAM@@/ { count = split(nodes, node, ","); for (i = 1; i <= count; i++) { line = $0; sub(/@@UPSTREAM@@/, node[i], line); print line } next }
  { print }' | sed \
  -e "s|@@SERVER_NAME@@|$SERVER_NAME|g" \
  -e "s|@@HTTPS_PORT@@|${HTTPS_PORT:-443}|g" \
  -e "s|@@HTTP_PORT@@|${HTTP_PORT:-80}|g" \
  -e "s|@@CERTIFICATE@@|$CERTIFICATE|g" \
  -e "s|@@CERTIFICATE_KEY@@|$CERTIFICATE_KEY|g" \
  -e "s|@@MEDIA_ROOT@@|${MEDIA_ROOT:-/srv/trygg/media}|g" \
  -e "s|@@LOG_DIR@@|${LOG_DIR:-/var/log/nginx}|g"
