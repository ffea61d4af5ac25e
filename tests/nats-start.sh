# SPDX-License-Identifier: MIT
# Sourced by the tests of nodes and by bench/node.sh (POSIX sh): a private
# nats-server on a free loopback port.
#
#   nats_start DIR   start nats-server, its log in DIR/nats.log and its
#                    ports file in DIR (DIR must exist). Sets and exports
#                    RT_NATS_URL (nats://127.0.0.1:PORT) and RT_NATS_PORT;
#                    sets nats_pid. Returns 0, or 1 (and says why on
#                    stderr) if the server did not come up. Without
#                    nats-server the test is skipped: it prints SKIP and a
#                    reason, and exits 77.
#   nats_stop        SIGTERM and wait; nats_pid is then empty.
#   nats_kill        SIGKILL and wait, as a crash: no goodbye to clients.
#   nats_restart     start again on the same port, after nats_stop or
#                    nats_kill (a server still running is stopped first).
#                    Returns 1 if the port could not be had back.
#   nats_pause, nats_resume
#                    SIGSTOP and SIGCONT: a server that hangs.
#   nats_cleanup     stop the server if one runs (for an EXIT trap).
#   nats_available   0 if nats-server can be run (for a caller that has
#                    other work to do without it, rather than skip).
#
# The caller sets the traps, as only it knows what else to clean up:
#
#	trap 'nats_cleanup; rm -rf "$tmp"' EXIT
#	trap 'exit 1' INT TERM HUP
#
# The server is asked for a port of the kernel's choosing (-p -1) and
# writes it, once it listens, to DIR/nats-server_PID.ports as
# {"nats":["nats://127.0.0.1:PORT"]}; a file named for our own pid
# cannot be another server's answer. A restart on the same port waits
# for the new process's file in the same way. The server is found on
# $NATS_SERVER (a path) if set, else on PATH, else in /usr/sbin (where
# Debian puts it, off a normal user's PATH).

nats_pid=
nats_dir=
RT_NATS_URL=
RT_NATS_PORT=

nats_available() {
	if [ -n "${NATS_SERVER:-}" ]; then
		nats_bin=$NATS_SERVER
	elif command -v nats-server > /dev/null 2>&1; then
		nats_bin=nats-server
	elif [ -x /usr/sbin/nats-server ]; then
		nats_bin=/usr/sbin/nats-server
	else
		nats_bin=
	fi
	[ -n "$nats_bin" ] && command -v "$nats_bin" > /dev/null 2>&1
}

# nats_run PORT: start the server on PORT (-1: any) and wait for its
# ports file; 0 with RT_NATS_URL set, or 1.
nats_run() {
	"$nats_bin" -a 127.0.0.1 -p "$1" --ports_file_dir "$nats_dir" \
	    >> "$nats_dir/nats.log" 2>&1 &
	nats_pid=$!
	_f="$nats_dir/nats-server_$nats_pid.ports"
	_i=0
	while [ $_i -lt 100 ]; do
		# The file is written whole once the listener is up; a torn
		# read has no closing bracket and is read again.
		_url=$(sed -n 's/^{"nats":\["\(nats:[^"]*\)"\]}$/\1/p' \
		    "$_f" 2>/dev/null) || _url=
		if [ -n "$_url" ]; then
			RT_NATS_URL=$_url
			RT_NATS_PORT=${_url##*:}
			export RT_NATS_URL RT_NATS_PORT
			return 0
		fi
		kill -0 "$nats_pid" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "nats-server did not start on port $1:" >&2
	tail -n 5 "$nats_dir/nats.log" >&2
	kill -KILL "$nats_pid" 2>/dev/null || :
	wait "$nats_pid" 2>/dev/null || :
	nats_pid=
	return 1
}

nats_start() {
	if ! nats_available; then
		echo "SKIP: nats-server is not installed (Debian: nats-server)"
		exit 77
	fi
	nats_dir=$1
	RT_NATS_URL=
	RT_NATS_PORT=
	nats_run -1
}

# nats_end SIGNAL: send SIGNAL to the server and reap it. nats-server
# exits 1 on SIGTERM; any status will do.
nats_end() {
	[ -n "$nats_pid" ] || return 0
	kill -"$1" "$nats_pid" 2>/dev/null || :
	# A stopped process acts on SIGTERM only once continued.
	kill -CONT "$nats_pid" 2>/dev/null || :
	wait "$nats_pid" 2>/dev/null || :
	rm -f "$nats_dir/nats-server_$nats_pid.ports"
	nats_pid=
}

nats_stop() {
	nats_end TERM
}

nats_kill() {
	nats_end KILL
}

# The port is the old one; another process may have taken it meanwhile,
# which is rare (the kernel hands out ports in turn), so try for a while.
nats_restart() {
	nats_stop
	_t=0
	while [ $_t -lt 20 ]; do
		nats_run "$RT_NATS_PORT" 2>/dev/null && return 0
		sleep 0.1
		_t=$((_t + 1))
	done
	echo "nats-server could not listen again on port $RT_NATS_PORT" >&2
	tail -n 5 "$nats_dir/nats.log" >&2
	return 1
}

nats_pause() {
	kill -STOP "$nats_pid"
}

nats_resume() {
	kill -CONT "$nats_pid"
}

nats_cleanup() {
	nats_stop
}
