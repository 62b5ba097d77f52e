# tests/live/lib.sh — start and always stop a throwaway PostgreSQL 15 cluster.
#
# Sourced (never run) by tests/live/run.sh and bench/gen.sh.  The cluster
# lives in a private temporary directory, listens only on a Unix socket inside
# that directory, runs as the `postgres` OS user (the server refuses root) and
# is stopped and deleted on EXIT, INT and TERM, also when the caller fails
# half-way.  After live_start the caller has PGHOST, PGPORT, PGUSER and
# PGDATABASE exported and can run psql/pg_dump/pg_restore as itself.
#
# Functions:
#   live_can_run          0 if we are root or postgres (else the caller skips)
#   live_install_traps    set the cleanup traps; call before redirecting stdout/stderr
#   live_start            initdb + start; sets LIVE_TMP, LIVE_DATA (installs the traps)
#   live_start_extra NAME after live_start: a second (third ...) cluster in LIVE_TMP/NAME,
#                         socket-only like the first; sets LIVE_EXTRA_HOST and
#                         LIVE_EXTRA_PORT (the caller's PG* variables are left alone);
#                         live_stop stops it before the main one
#   live_stop             stop the server(s) and delete LIVE_TMP (idempotent)
#   live_as_pg CMD...     run CMD as the postgres OS user
#   live_psql ARGS...     psql -X -q -v ON_ERROR_STOP=1 (as the caller)
#
# Settings (environment, optional):
#   PG_BINDIR             default /usr/lib/postgresql/15/bin
#   LIVE_PARENT           directory to create the temporary directory in
#                         (default ${TMPDIR:-/tmp}; bench/gen.sh puts the big
#                         cluster next to its data)
#   LIVE_KEEP=1           leave the temporary directory behind (debugging)
#   LIVE_SERVER_OPTS      extra `-c name=value` options for the server
#   LIVE_WAL_LEVEL        default logical (publications load without warnings)
# shellcheck shell=bash

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
LIVE_TMP=""
LIVE_DATA=""
LIVE_EXTRA_DATAS=() # data directories of live_start_extra clusters

live_log() {
    printf '%s\n' "live: $*" >&2
}

# Root can become postgres with runuser; postgres itself needs nothing.
live_can_run() {
    [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 && return 0
    [ "$(id -un)" = postgres ] && return 0
    return 1
}

live_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

live_psql() {
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# Stop the server (fast shutdown, then immediate if that hangs) and delete
# the directory.  Safe to call twice and from a trap.  It goes by the pid
# file, not by whether live_start finished: a signal during `pg_ctl start`
# can leave a running server behind that live_start never reported.
live_stop_server() {
    if [ -n "$1" ] && [ -f "$1/postmaster.pid" ]; then
        live_as_pg "$PG_BINDIR/pg_ctl" -D "$1" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            live_as_pg "$PG_BINDIR/pg_ctl" -D "$1" -m immediate -w -t 30 stop \
                >/dev/null 2>&1 || live_log "could not stop the server in $1"
    fi
}

live_stop() {
    local extra
    for extra in "${LIVE_EXTRA_DATAS[@]}"; do
        live_stop_server "$extra"
    done
    LIVE_EXTRA_DATAS=()
    live_stop_server "$LIVE_DATA"
    if [ -n "$LIVE_TMP" ] && [ -d "$LIVE_TMP" ]; then
        if [ "${LIVE_KEEP:-0}" = 1 ]; then
            live_log "kept $LIVE_TMP"
        else
            rm -rf -- "$LIVE_TMP"
        fi
    fi
    LIVE_TMP=""
    LIVE_DATA=""
}

# EXIT runs live_stop; HUP/INT/PIPE/TERM exit with the conventional status,
# which in turn runs the EXIT trap (bash does not run it on an untrapped
# fatal signal; SIGPIPE is the common one: `tests/live/run.sh | head`).
# Callers that need their own cleanup or a last word define live_on_exit; it
# runs after the cluster is gone, with SIGPIPE ignored so that printing to a
# closed pipe cannot interrupt the cleanup.
live_on_exit() { :; }
LIVE_TRAPS=0
LIVE_FD_OUT=""
LIVE_FD_ERR=""
live_exit_trap() {
    local rc=$?
    trap - EXIT HUP INT TERM
    trap '' PIPE
    # A signal can arrive while a command with redirected output runs (initdb >log); the trap
    # then runs with those redirections, so go back to the script's own stdout and stderr.
    exec 1>&"$LIVE_FD_OUT" 2>&"$LIVE_FD_ERR"
    live_stop
    live_on_exit "$rc"
    exit "$rc"
}
# Call before any redirection of stdout/stderr (live_start does it if the caller did not).
live_install_traps() {
    [ "$LIVE_TRAPS" = 1 ] && return 0
    LIVE_TRAPS=1
    exec {LIVE_FD_OUT}>&1 {LIVE_FD_ERR}>&2
    trap live_exit_trap EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 141' PIPE
    trap 'exit 143' TERM
}

# A port number only names the socket and lock file, both inside our private
# directory, so clashes cannot happen; still vary it so that two clusters
# never look alike in `ps`.
live_pick_port() {
    echo $((5433 + RANDOM % 20000))
}

live_start() {
    local parent=${LIVE_PARENT:-${TMPDIR:-/tmp}}
    live_install_traps
    mkdir -p -- "$parent"
    LIVE_TMP=$(mktemp -d "$parent/dumpfmt-live.XXXXXX") || return 1
    LIVE_DATA=$LIVE_TMP/data
    chmod 0755 -- "$LIVE_TMP"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: -- "$LIVE_TMP"
    fi
    # The server needs to reach its socket directory; the temporary parent
    # may be a private directory of root, so check before initdb.
    if ! live_as_pg test -w "$LIVE_TMP"; then
        live_log "user postgres cannot write to $LIVE_TMP"
        return 1
    fi
    export PGPORT
    PGPORT=$(live_pick_port)
    if ! live_as_pg "$PG_BINDIR/initdb" -D "$LIVE_DATA" -U postgres --auth=trust \
        -E UTF8 --locale=C >"$LIVE_TMP/initdb.log" 2>&1; then
        live_log "initdb failed:"
        sed 's/^/    /' "$LIVE_TMP/initdb.log" >&2
        return 1
    fi
    cat >>"$LIVE_DATA/postgresql.conf" <<EOF
# added by tests/live/lib.sh: private, socket-only, no durability needed
listen_addresses = ''
unix_socket_directories = '$LIVE_TMP'
port = $PGPORT
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
logging_collector = off
wal_level = ${LIVE_WAL_LEVEL:-logical}
EOF
    # wal_level=minimal (bench/gen.sh: faster bulk loads) requires no WAL senders.
    if [ "${LIVE_WAL_LEVEL:-logical}" = minimal ]; then
        echo "max_wal_senders = 0" >>"$LIVE_DATA/postgresql.conf"
    fi
    # The server must not inherit the saved descriptors: it would hold the caller's pipe open.
    if ! live_as_pg "$PG_BINDIR/pg_ctl" -D "$LIVE_DATA" -l "$LIVE_TMP/server.log" -w -t 120 \
        ${LIVE_SERVER_OPTS:+-o "$LIVE_SERVER_OPTS"} start >/dev/null 2>&1 \
        {LIVE_FD_OUT}>&- {LIVE_FD_ERR}>&-; then
        live_log "server did not start:"
        tail -n 20 "$LIVE_TMP/server.log" 2>/dev/null | sed 's/^/    /' >&2
        return 1
    fi
    export PGHOST=$LIVE_TMP PGUSER=postgres PGDATABASE=postgres
    unset PGPASSWORD PGSERVICE PGSSLMODE PGOPTIONS
    return 0
}

# live_start_extra NAME: another cluster below LIVE_TMP (which live_stop deletes), for tests
# that need two clusters, e.g. one that lacks the roles of the other.
live_start_extra() {
    local dir=$LIVE_TMP/$1 port
    if [ -z "$LIVE_TMP" ] || [ -e "$dir" ]; then
        live_log "live_start_extra $1: call live_start first, once per name"
        return 1
    fi
    mkdir -p -- "$dir" && chmod 0755 -- "$dir" || return 1
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: -- "$dir"
    fi
    port=$(live_pick_port)
    [ "$port" = "${PGPORT:-}" ] && port=$((port + 1))
    if ! live_as_pg "$PG_BINDIR/initdb" -D "$dir/data" -U postgres --auth=trust \
        -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
        live_log "initdb ($1) failed:"
        sed 's/^/    /' "$dir/initdb.log" >&2
        return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF
# added by tests/live/lib.sh (live_start_extra): private, socket-only, no durability needed
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
    LIVE_EXTRA_DATAS+=("$dir/data")
    # as in live_start: the server must not inherit the saved descriptors
    if ! live_as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
        start >/dev/null 2>&1 {LIVE_FD_OUT}>&- {LIVE_FD_ERR}>&-; then
        live_log "server ($1) did not start:"
        tail -n 20 "$dir/server.log" 2>/dev/null | sed 's/^/    /' >&2
        return 1
    fi
    LIVE_EXTRA_HOST=$dir
    LIVE_EXTRA_PORT=$port
    return 0
}

# live_begin: how a live script that uses tests/harness.sh starts.  No cluster possible (not
# root, not postgres): says so, "0 passed, 0 failed" and exits 0; a cluster that does not start
# is one failed case and exit 1.  Then W is a work directory below LIVE_TMP that the postgres
# user can write (its server-side COPY and the tools' outputs).
live_begin() {
    if ! live_can_run; then
        echo "live: skipped (needs root or the postgres user)"
        echo "0 passed, 0 failed"
        exit 0
    fi
    live_start 2>/dev/null || { not_ok "cluster starts"; harness_finish; exit 1; }
    W=$LIVE_TMP/work
    mkdir -p "$W"
    chmod 755 "$W"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$W"
    fi
}

# live_dump_of DB: pg_dump -Fp of DB with a fixed \restrict key, so two dumps compare equal.
live_dump_of() { "$PG_BINDIR/pg_dump" --restrict-key=livetest -Fp "$1" 2>&1; }

# Why PostgreSQL 17's programs (bench/pg17.sh's chroot) cannot run here, on stdout; nothing
# when they can.  Callers skip their pg_dump 17 checks with this reason.
live_pg17_why() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (chroot and mount need it)"
    elif ! BENCH_DIR=${BENCH_DIR:-/work/benchdata} bash bench/pg17.sh status 2>/dev/null |
        grep -q '^chroot: /'; then
        echo "no PostgreSQL 17 chroot (BENCH_DIR=... bench/pg17.sh setup)"
    fi
}
