#!/usr/bin/env bash
# Usage: examples/with-sandbox.sh COMMAND [ARG...]
#
# Starts a fresh `vshop sandbox` on 127.0.0.1 (the system picks a free port), waits until it answers
# HTTP, runs COMMAND with VSHOP_BASE_URL set to the sandbox's base URL, then stops the sandbox. Exits
# with COMMAND's status. Needs Go (the sandbox is built from ./cmd/vshop) and bash.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pid=
stop() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap stop EXIT

# Build first, so that the process stopped at the end is the sandbox itself (not `go run`).
(cd "$root" && go build -o "$tmp/vshop" ./cmd/vshop)
"$tmp/vshop" sandbox --addr 127.0.0.1:0 >"$tmp/banner" 2>"$tmp/log" &
pid=$!

# The banner's first line names the base URL once the port is bound.
url=
for _ in $(seq 300); do
	url=$(sed -n 's/^vshop sandbox: serving the Vshop API at \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$tmp/banner")
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || { echo "with-sandbox: the sandbox exited:" >&2; cat "$tmp/log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { echo "with-sandbox: no base URL from the sandbox after 30 s" >&2; exit 1; }

# Wait until it answers HTTP: an unsigned POST must get an HTTP status line back.
port=${url##*:}
answered=
for _ in $(seq 100); do
	if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
		printf 'POST /singleVerify HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' >&3
		IFS= read -r -t 5 line <&3 || true
		exec 3<&-
		case "$line" in HTTP/*) answered=1; break ;; esac
	fi
	sleep 0.1
done
[ -n "$answered" ] || { echo "with-sandbox: the sandbox at $url does not answer" >&2; exit 1; }

echo "with-sandbox: sandbox at $url (pid $pid)"
status=0
VSHOP_BASE_URL=$url "$@" || status=$?
[ "$status" -eq 0 ] || { echo "with-sandbox: sandbox log:" >&2; cat "$tmp/log" >&2; }
exit "$status"
