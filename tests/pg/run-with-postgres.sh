#!/bin/bash
# run-with-postgres.sh BINDIR PROGRAM [ARGS...]
#
# Start a throwaway PostgreSQL server, run PROGRAM ARGS... CONNINFO against a
# fresh database on it, stop the server and delete everything. The exit
# status is PROGRAM's (or 1 if the server could not be set up).
#
# BINDIR holds initdb, pg_ctl, postgres and createdb (on Debian
# /usr/lib/postgresql/15/bin). The server listens on a unix socket in a
# mktemp directory and on 127.0.0.1 only, on a free port, with trust
# authentication (nobody else can reach it). As root, the server runs as the
# unprivileged user "postgres" (PostgreSQL refuses to run as root).
set -euo pipefail

bindir=$1; shift
as=()
if [ "$(id -u)" = 0 ]; then
	# Under /tmp, not $TMPDIR: the postgres user must reach the directory
	# (root's TMPDIR may be private), and a socket path is short.
	dir=$(mktemp -d /tmp/casemgr-pg.XXXXXX)
	chown postgres: "$dir"
	as=(runuser -u postgres --)
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/casemgr-pg.XXXXXX")
fi

stop() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap stop EXIT

"${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
	--encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }

# A free port: ask the kernel for one, retry if someone takes it first.
started=0
for attempt in 1 2 3 4 5; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off" \
		start >/dev/null 2>&1; then
		started=1
		break
	fi
done
if [ $started = 0 ]; then
	echo "run-with-postgres: the server did not start:" >&2
	cat "$dir/server.log" >&2 || true
	exit 1
fi

"$bindir/createdb" -h "$dir" -p "$port" -U postgres casemgr_example
echo "run-with-postgres: server on $dir port $port"
rc=0
"$@" "host=$dir port=$port user=postgres dbname=casemgr_example" || rc=$?
exit $rc
