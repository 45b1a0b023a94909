#!/bin/sh
# Backs up a Stox deployment into three files beside each other:
#
#   <stamp>.rabbitmq.json   the broker's definitions of one vhost (exchanges, queues,
#                           bindings, policies) from the management API
#   <stamp>.pgdump          the database, pg_dump's custom format
#   <stamp>.blobs.tar.gz    the blobs (photos and generated images): the blob
#                           directory, or with STOX_BLOB_URL an S3 store's objects
#                           under its prefix (`stox blobs export`)
#
# `make backup` runs it in the compose `backup` helper; it runs the same on any
# machine with sh, curl, pg_dump and GNU tar (cmd/stox/backup_test.go does). All input
# comes from the environment:
#
#   PGHOST, PGUSER, PGPASSWORD, PGDATABASE, …  the database, as libpq reads them
#   RABBITMQ_MANAGEMENT_URL   e.g. http://rabbitmq:15672
#   RABBITMQ_USER, RABBITMQ_PASSWORD, RABBITMQ_VHOST (default /)
#   BLOBS_DIR                 the blob store's directory (STOX_DATA_DIR/blobs)
#   STOX_BLOB_URL             instead of BLOBS_DIR: the S3 blob store (s3://…), read
#                             by the stox binary on PATH with the services'
#                             variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
#   BACKUP_DIR                where the three files go
#   BACKUP_STAMP              their common name (default: UTC date and time)
#
# Consistency, with the services running: pg_dump reads one snapshot of the whole
# database; the blobs are archived after it. A blob is written (atomically) before any
# row names it and is never changed or deleted (its key is its SHA-256), so the archive
# holds every blob the dump names, perhaps a few newer ones that nothing names yet. The
# definitions are the topology, which the services only ever declare the same. Not
# backed up: messages waiting in queues (a product mid-pipeline at backup time stays
# pending after a restore until it is uploaded again: back up with empty queues, see
# `make status`), and the broker's users (they come from .env).
#
# The three files are written under temporary names and renamed together at the end,
# so a failed backup leaves no set behind that restore.sh would take for a whole one.
set -eu

: "${RABBITMQ_MANAGEMENT_URL:?backup: set RABBITMQ_MANAGEMENT_URL (e.g. http://rabbitmq:15672)}"
: "${RABBITMQ_USER:?backup: set RABBITMQ_USER}"
: "${RABBITMQ_PASSWORD:?backup: set RABBITMQ_PASSWORD}"
[ -n "${STOX_BLOB_URL:-}" ] || : "${BLOBS_DIR:?backup: set BLOBS_DIR (the blob store directory, STOX_DATA_DIR/blobs) or STOX_BLOB_URL}"
: "${BACKUP_DIR:?backup: set BACKUP_DIR}"
stamp=${BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}
base=$BACKUP_DIR/$stamp

. "$(dirname "$0")/lib.sh"

if [ -n "${STOX_BLOB_URL:-}" ]; then
	command -v stox >/dev/null || fail "STOX_BLOB_URL is set but no stox binary is on PATH to read the bucket"
else
	[ -d "$BLOBS_DIR" ] || fail "blob directory $BLOBS_DIR does not exist (BLOBS_DIR)"
fi
for ext in $SET; do
	[ ! -e "$base.$ext" ] || fail "$base.$ext exists already: choose another BACKUP_STAMP"
done
umask 077
trap 'for ext in $SET; do rm -f "$base.$ext.partial"; done' EXIT
trap 'exit 1' HUP INT TERM

management GET "definitions/$(vhost_path)" "$base.rabbitmq.json.partial"
is_json_object "$base.rabbitmq.json.partial" || fail "the management API answered something that is not a JSON object"
pg_dump -Fc -f "$base.pgdump.partial"
if [ -n "${STOX_BLOB_URL:-}" ]; then
	# An S3 PUT is atomic: the listing names whole objects only.
	stox blobs export "$base.blobs.tar.gz.partial"
else
	# .tmp-* are blobs being written (blob/fs.go): not blobs yet.
	tar --numeric-owner --exclude='.tmp-*' -C "$BLOBS_DIR" -czf "$base.blobs.tar.gz.partial" .
fi

for ext in $SET; do
	mv "$base.$ext.partial" "$base.$ext"
done
echo "backup: $base.rabbitmq.json $base.pgdump $base.blobs.tar.gz"
