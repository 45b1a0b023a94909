#!/bin/sh
# Entry point of the compose broker: writes the definitions RabbitMQ imports at boot
# (the committed topology plus the user and permissions from .env), then hands over to
# the image's own entry point.
#
# Why: a node configured to import definitions at boot skips creating its default user
# ("Will not seed default virtual host and user: have definitions to load"), so
# RABBITMQ_DEFAULT_USER would be ignored and every login refused. The user must be in
# the imported file, and its password must not be in the committed one.
set -eu

: "${RABBITMQ_USER:?set RABBITMQ_USER in .env}"
: "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD in .env}"

topology=/etc/rabbitmq/stox/definitions.json
out=/tmp/stox-definitions.json

if [ "$(head -c 1 "$topology")" != "{" ]; then
	echo "entrypoint: $topology is not a JSON object; run make definitions" >&2
	exit 1
fi

json_string() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
user=$(json_string "$RABBITMQ_USER")
password=$(json_string "$RABBITMQ_PASSWORD")

umask 077
{
	printf '{\n  "users": [{"name": "%s", "password": "%s", "tags": "administrator"}],\n' "$user" "$password"
	printf '  "permissions": [{"user": "%s", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],\n' "$user"
	tail -c +2 "$topology"
} >"$out"
# The broker runs as rabbitmq; the file holds a password, so only it may read it.
chown rabbitmq:rabbitmq "$out" 2>/dev/null || true

exec docker-entrypoint.sh "$@"
