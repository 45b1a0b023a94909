# Helpers of backup.sh and restore.sh (sourced, POSIX sh).

# SET is what one backup holds: <stamp>.<each of these>.
SET="rabbitmq.json pgdump blobs.tar.gz"

fail() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# vhost_path is RABBITMQ_VHOST as one segment of a management API path ("/" is %2F).
vhost_path() {
	printf '%s' "${RABBITMQ_VHOST:-/}" | sed -e 's/%/%25/g' -e 's|/|%2F|g' -e 's/ /%20/g'
}

# management METHOD PATH OUT [curl options…] calls the RabbitMQ management API and
# writes its answer to OUT; an answer other than 2xx fails with the API's own words.
# The credentials reach curl on its standard input, not its command line, where any
# user of the machine could read them (ps).
management() {
	method=$1 url=${RABBITMQ_MANAGEMENT_URL%/}/api/$2 out=$3
	shift 3
	code=$(printf 'user = "%s:%s"\n' "$(curl_quote "$RABBITMQ_USER")" "$(curl_quote "$RABBITMQ_PASSWORD")" |
		curl -sS -K - -X "$method" -o "$out" -w '%{http_code}' "$@" "$url") ||
		fail "management API $method $url: no answer (is RabbitMQ's management plugin up at RABBITMQ_MANAGEMENT_URL?)"
	case $code in
	2??) ;;
	*) fail "management API $method $url answered HTTP $code: $(head -c 500 "$out")" ;;
	esac
}

# curl_quote escapes a value for a double-quoted string of a curl config file.
curl_quote() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

# is_json_object reports whether file starts as a JSON object does.
is_json_object() { [ "$(head -c 1 "$1")" = "{" ]; }
