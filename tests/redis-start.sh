# SPDX-License-Identifier: MIT
# Sourced by tests/example_kv.sh and bench/kv.sh (POSIX sh).
#
# start_redis LOG: start redis-server on a loopback port, without
# persistence, its output in LOG. Sets redis_pid and redis_port and
# returns 0, or returns 1 with both empty. Redis cannot be asked for a
# free port, so ports are tried until one answers; and the answer must
# come from this very process (INFO's process_id), or a server someone
# else runs on the same port would be taken for ours.
start_redis() {
	redis_pid= redis_port=
	_tries=0
	while [ $_tries -lt 20 ]; do
		_tries=$((_tries + 1))
		_p=$((20000 + ($$ * 7 + _tries * 7919) % 30000))
		redis-server --port "$_p" --bind 127.0.0.1 --save '' \
		    --appendonly no --daemonize no > "$1" 2>&1 &
		redis_pid=$!
		_i=0
		while [ $_i -lt 50 ]; do
			_id=$(redis-cli -p "$_p" INFO server 2>/dev/null |
			    sed -n 's/^process_id:\([0-9]*\).*/\1/p')
			if [ "$_id" = "$redis_pid" ]; then
				redis_port=$_p
				return 0
			fi
			kill -0 "$redis_pid" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$redis_pid" 2>/dev/null || :
		wait "$redis_pid" 2>/dev/null || :
		redis_pid=
	done
	return 1
}
