#!/usr/bin/env bash
# Crossbar's HTTP bridge from the shell, against a running wampd (or Crossbar).
#
#   ./rest.sh publish [TOPIC [JSON-ARGS]]       POST /publish (examples/basic, examples/bridge)
#   ./rest.sh call [PROCEDURE [JSON-ARGS]]      POST /call, unsigned (examples/basic)
#   ./rest.sh signed-call [PROCEDURE [JSON-ARGS]]
#                                               POST /call, signed (examples/bridge)
#   ./rest.sh webhook [TEXT]                    POST /hook (examples/bridge)
#
# Environment: BASE (default http://127.0.0.1:8080); for signed requests KEY and SECRET
# (default: the values in examples/bridge/config.json). Needs bash, curl and openssl.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8080}
KEY=${KEY:-example-key}
SECRET=${SECRET:-example-secret-change-me}

post() { # path body [query]
	curl -sS -H 'Content-Type: application/json' --data-binary "$2" "$BASE/$1${3:+?$3}"
	echo
}

# Percent-encodes a query parameter value.
urlencode() {
	local s=$1 out= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# Crossbar's signed requests (HTTP-Bridge docs, "Signed Requests"):
#   signature = base64url(HMAC-SHA256(secret, key || timestamp || seq || nonce || body))
# with '=' padding; timestamp in UTC with fractional seconds (%Y-%m-%dT%H:%M:%S.%fZ), seq and
# nonce integers. The body must be sent byte for byte as it was signed.
signed_query() { # body
	local ts seq nonce sig
	ts=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
	seq=$((RANDOM * 32768 + RANDOM))
	nonce=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
	sig=$(printf '%s' "$KEY$ts$seq$nonce$1" |
		openssl dgst -sha256 -hmac "$SECRET" -binary | openssl base64 -A | tr '+/' '-_')
	printf 'key=%s&timestamp=%s&seq=%s&nonce=%s&signature=%s' "$(urlencode "$KEY")" \
		"$(urlencode "$ts")" "$seq" "$nonce" "$(urlencode "$sig")"
}

cmd=${1:-}
case $cmd in
publish)
	# -> {"id": <publication id>}
	post publish "{\"topic\": \"${2:-com.example.topic1}\", \"args\": ${3:-[\"Hello, world\"]}}"
	;;
call)
	# -> {"args": [...]} from the callee, or {"error": "wamp.error.no_such_procedure", ...}
	post call "{\"procedure\": \"${2:-com.example.add2}\", \"args\": ${3:-[1, 2]}}"
	;;
signed-call)
	# examples/bridge registers com.example.rest (RESTCallee): it GETs http://127.0.0.1:8000/
	# (start e.g. `python3 -m http.server 8000 --bind 127.0.0.1`) and answers
	# {"args": [{"code": 200, "content": "...", "headers": {...}}]}.
	body="{\"procedure\": \"${2:-com.example.rest}\", \"args\": ${3:-[]}, \"kwargs\": {\"method\": \"GET\", \"url\": \"\"}}"
	post call "$body" "$(signed_query "$body")"
	;;
webhook)
	# Any body; subscribers of com.example.webhook get {"headers": ..., "body": "..."}. -> OK
	curl -sS --data-binary "${2:-hello from curl}" "$BASE/hook"
	echo
	;;
*)
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
