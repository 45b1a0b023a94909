#!/bin/sh
# Restores a backup written by backup.sh (same environment, see there) with
# BACKUP_STAMP naming it: the broker's definitions into RABBITMQ_VHOST, the database
# into PGDATABASE (replacing what is there), the blobs into BLOBS_DIR (replacing its
# contents) or, with STOX_BLOB_URL, into the S3 store's prefix (`stox blobs import`:
# added beside what is there, each checked against its key; restore into an empty
# prefix for an exact copy). The Stox services must be stopped (make restore stops them): one writing
# meanwhile would mix the old state with the restored one.
#
# Order: definitions first, so every queue exists before a service starts and
# publishes (a fanout to a queue nobody declared drops the message); then the
# database in one transaction; then the blobs.
#
# Every file is checked before anything changes: a set with a file missing, empty or
# not what its name says is refused whole, never restored in part.
set -eu

: "${RABBITMQ_MANAGEMENT_URL:?restore: set RABBITMQ_MANAGEMENT_URL (e.g. http://rabbitmq:15672)}"
: "${RABBITMQ_USER:?restore: set RABBITMQ_USER}"
: "${RABBITMQ_PASSWORD:?restore: set RABBITMQ_PASSWORD}"
: "${PGDATABASE:?restore: set PGDATABASE, the database to restore into}"
[ -n "${STOX_BLOB_URL:-}" ] || : "${BLOBS_DIR:?restore: set BLOBS_DIR (the blob store directory, STOX_DATA_DIR/blobs) or STOX_BLOB_URL}"
: "${BACKUP_DIR:?restore: set BACKUP_DIR}"
: "${BACKUP_STAMP:?restore: set BACKUP_STAMP, the <stamp> of <stamp>.pgdump}"
base=$BACKUP_DIR/$BACKUP_STAMP

. "$(dirname "$0")/lib.sh"

missing=
for ext in $SET; do
	[ -s "$base.$ext" ] || missing="$missing $BACKUP_STAMP.$ext"
done
[ -z "$missing" ] || fail "refusing a partial backup: missing or empty in $BACKUP_DIR:$missing (a backup is <stamp>.rabbitmq.json, <stamp>.pgdump and <stamp>.blobs.tar.gz)"
is_json_object "$base.rabbitmq.json" || fail "$base.rabbitmq.json is not a JSON object"
pg_restore -l "$base.pgdump" >/dev/null || fail "$base.pgdump is not a readable pg_dump archive"
tar -tzf "$base.blobs.tar.gz" >/dev/null || fail "$base.blobs.tar.gz is not a readable archive"
if [ -n "${STOX_BLOB_URL:-}" ]; then
	command -v stox >/dev/null || fail "STOX_BLOB_URL is set but no stox binary is on PATH to write the bucket"
else
	case $BLOBS_DIR in
	/ | "") fail "BLOBS_DIR=$BLOBS_DIR: its contents are replaced, so not the root" ;;
	esac
fi

answer=$(mktemp)
trap 'rm -f "$answer"' EXIT
management POST "definitions/$(vhost_path)" "$answer" \
	-H 'content-type: application/json' --data-binary "@$base.rabbitmq.json"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error -d "$PGDATABASE" "$base.pgdump"
if [ -n "${STOX_BLOB_URL:-}" ]; then
	# Either archive: an export, or a filesystem backup (moving to S3).
	stox blobs import "$base.blobs.tar.gz"
	blobs="the S3 blob store"
else
	mkdir -p "$BLOBS_DIR"
	find "$BLOBS_DIR" -mindepth 1 -delete
	tar --numeric-owner -C "$BLOBS_DIR" -xzf "$base.blobs.tar.gz"
	blobs=$BLOBS_DIR
fi
echo "restore: $base.* into vhost ${RABBITMQ_VHOST:-/}, database $PGDATABASE and $blobs"
