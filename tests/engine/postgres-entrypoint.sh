#!/bin/sh
# A stand-in for the official postgres image's entrypoint, for the engine tests: the real
# PostgreSQL 15 server from Debian's packages, initialised from POSTGRES_USER/PASSWORD/DB, with
# its data in PGDATA (/var/lib/postgresql/data, the image's VOLUME) as the official image does.
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export PGDATA
SUPERUSER="${POSTGRES_USER:-postgres}"
DATABASE="${POSTGRES_DB:-$SUPERUSER}"
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
as_postgres() { su postgres -s /bin/sh -c "$*"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > /tmp/pwfile
  chown postgres /tmp/pwfile
  as_postgres "initdb --username='$SUPERUSER' --pwfile=/tmp/pwfile --auth=scram-sha-256 -D '$PGDATA'" >/dev/null
  rm -f /tmp/pwfile
  printf "host all all all scram-sha-256\nlocal all all trust\n" > "$PGDATA/pg_hba.conf"
  as_postgres "pg_ctl -D '$PGDATA' -o '-c listen_addresses=' -w start" >/dev/null
  if [ "$DATABASE" != postgres ]; then
    as_postgres "psql -v ON_ERROR_STOP=1 --username='$SUPERUSER' --dbname=postgres -c 'CREATE DATABASE \"$DATABASE\"'" >/dev/null
  fi
  as_postgres "pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
fi
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "$1" = postgres ]; then
  [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && shift
  exec su postgres -s /bin/sh -c "exec postgres -D '$PGDATA' -c listen_addresses='*' $*"
fi
exec "$@"
