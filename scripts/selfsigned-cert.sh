#!/usr/bin/env bash
# A self-signed certificate for trying the deployment on loopback: scripts/selfsigned-cert.sh DIR [NAME]
# writes DIR/cert.pem and DIR/key.pem for NAME (default 127.0.0.1), valid for 30 days. curl trusts it with
# `--cacert DIR/cert.pem`. A public server uses a certificate from a real authority instead (docs/deploy.md).
set -euo pipefail
directory=${1:?usage: scripts/selfsigned-cert.sh DIR [NAME]}
name=${2:-127.0.0.1}
if [[ $name =~ ^[0-9.]+$ ]]; then
  alternative="IP:$name"
else
  alternative="DNS:$name"
fi
mkdir -p "$directory"
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 -subj "/CN=$name" \
  -addext "subjectAltName=$alternative" -addext "basicConstraints=critical,CA:TRUE" \
  -keyout "$directory/key.pem" -out "$directory/cert.pem" 2>/dev/null
chmod 600 "$directory/key.pem"
echo "$directory/cert.pem"
