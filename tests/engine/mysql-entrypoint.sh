#!/bin/sh
# A stand-in for the official mysql/mariadb image's entrypoint, for the engine tests: the real
# MariaDB server from Debian's packages, initialised from the same variables the official
# images read (MYSQL_*/MARIADB_*), with its data under /var/lib/mysql (the image's VOLUME).
set -eu
DATA=/var/lib/mysql
ROOT_PASSWORD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"
DATABASE="${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}"
USER_NAME="${MARIADB_USER:-${MYSQL_USER:-}}"
USER_PASSWORD="${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}"
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$DATA"
if [ ! -d "$DATA/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$DATA" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATA" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  i=0
  until mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 120 ] || { echo "init: the server did not start" >&2; exit 1; }
    sleep 0.5
  done
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$ROOT_PASSWORD';"
    echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$ROOT_PASSWORD';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$DATABASE" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"; fi
    if [ -n "$USER_NAME" ]; then
      echo "CREATE USER IF NOT EXISTS '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASSWORD';"
      if [ -n "$DATABASE" ]; then echo "GRANT ALL ON \`$DATABASE\`.* TO '$USER_NAME'@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/run/mysqld/init.sock --user=root
  mariadb-admin --socket=/run/mysqld/init.sock --user=root --password="$ROOT_PASSWORD" shutdown
  wait "$pid" || true
fi
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "$1" = mysqld ] || [ "$1" = mariadbd ]; then
  [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && shift
  exec mariadbd --user=mysql --datadir="$DATA" --bind-address=0.0.0.0 "$@"
fi
exec "$@"
