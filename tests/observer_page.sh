#!/bin/sh
# SPDX-License-Identifier: MIT
# The observer's page in a real browser: tests/observer_serve runs a
# system with a supervision tree and the observer on a free loopback port;
# headless Chromium loads "/", lets its script run, and the DOM it leaves
# must name the supervisor and its children, as boxes the script drew from
# /api/tree, and the crash from /api/crashes. A screenshot of the page is
# kept in the build directory (tests/observer-page.png). Skipped (77) when
# Chromium is not installed (Debian: apt-get install chromium).
set -u
: "${top_builddir:=.}"
browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" > /dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "skipped: Chromium not found (Debian: apt-get install chromium)"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

: > "$tmp/out"
"$top_builddir/tests/observer_serve" 127.0.0.1:0 > "$tmp/out" 2>&1 &
pid=$!
port=
i=0
while [ $i -lt 100 ]; do
	port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$tmp/out")
	[ -n "$port" ] && break
	kill -0 "$pid" 2> /dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "FAIL: observer_serve did not start:"
	cat "$tmp/out"
	exit 1
fi
url="http://127.0.0.1:$port/"

browse() {
	# A profile of its own, so that nothing of the user's is touched
	# and nothing is left behind.
	timeout 60 "$browser" --headless=new --no-sandbox --disable-gpu \
	    --no-first-run --disable-extensions --user-data-dir="$tmp/profile" \
	    --virtual-time-budget=5000 "$@" "$url"
}

browse --dump-dom > "$tmp/dom.html" 2> "$tmp/browser.log"
fail=0
for want in 'data-path="Shop"' 'data-path="Shop/cart"' \
    'data-path="Shop/pool"' 'data-path="Shop/audit"' \
    'data-path="Shop/pool/worker.1"' 'data-path="Shop/pool/worker.2"' \
    'obs.Worker' 'supervisor Shop (one_for_one)' 'crash: Shop/cart' \
    'live, updated' '3/1024 (3 stashed)'; do
	if ! grep -qF "$want" "$tmp/dom.html"; then
		echo "FAIL: the page does not show $want"
		fail=1
	fi
done
if [ $fail -ne 0 ]; then
	echo "--- the DOM:"
	cat "$tmp/dom.html"
	echo "--- the browser said:"
	tail -20 "$tmp/browser.log"
	exit 1
fi

shot="$top_builddir/tests/observer-page.png"
rm -f "$shot"
browse --screenshot="$shot" --window-size=1280,900 > /dev/null \
    2>> "$tmp/browser.log"
if [ ! -s "$shot" ]; then
	echo "FAIL: no screenshot"
	tail -20 "$tmp/browser.log"
	exit 1
fi
echo "screenshot: $shot"

kill "$pid"
wait "$pid"
rc=$?
pid=
if [ $rc -ne 0 ]; then
	echo "FAIL: observer_serve exited $rc"
	cat "$tmp/out"
	exit 1
fi
exit 0
