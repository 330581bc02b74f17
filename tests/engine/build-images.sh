#!/usr/bin/env bash
# Build the database images the engine tests run, from Debian's packages (no image registry is
# reachable here): one root file system with the real MariaDB and PostgreSQL 15 servers, then
# one image per name the tests' compose files use, each with the official image's VOLUME,
# ENTRYPOINT and CMD. The root file system is cached between runs.
#
# Usage: tests/engine/build-images.sh   (with DOCKER_HOST pointing at the engine)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${COMPOSEGUARD_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/composeguard-engine}"
PACKAGES="mariadb-server,mariadb-client,postgresql-15"
ROOTFS="$CACHE/rootfs-bookworm-$(printf '%s' "$PACKAGES" | md5sum | cut -c1-8).tar"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9  # test workers that start at once build once
if [ ! -f "$ROOTFS" ] || [ ! -s "$ROOTFS" ]; then
  rm -rf "$ROOTFS" "$ROOTFS.partial.tar"
  mmdebstrap --quiet --format=tar --variant=minbase --include="$PACKAGES" bookworm \
    "$ROOTFS.partial.tar"
  mv "$ROOTFS.partial.tar" "$ROOTFS"
fi
docker image inspect composeguard-engine/base:1 >/dev/null 2>&1 ||
  docker import "$ROOTFS" composeguard-engine/base:1 >/dev/null

build() {  # tag, entrypoint, data directory, cmd, extra Dockerfile lines
  local tag="$1" entrypoint="$2" volume="$3" cmd="$4" extra="${5:-}"
  if docker image inspect "$tag" >/dev/null 2>&1 &&
      [ "$(docker image inspect -f '{{index .Config.Labels "composeguard.entrypoint"}}' "$tag")" \
        = "$(cat "$HERE/$entrypoint" "$0" | md5sum | cut -c1-32)" ]; then
    return
  fi
  docker build --quiet --tag "$tag" -f - "$HERE" >/dev/null <<DOCKERFILE
FROM composeguard-engine/base:1
COPY $entrypoint /usr/local/bin/docker-entrypoint.sh
$extra
LABEL composeguard.entrypoint=$(cat "$HERE/$entrypoint" "$0" | md5sum | cut -c1-32)
VOLUME $volume
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["$cmd"]
DOCKERFILE
}

# Debian's package initialises /var/lib/mysql at install: the official images start empty
EMPTY_DATA="RUN rm -rf /var/lib/mysql/* && mkdir -p /var/lib/mysql"
build mysql:8.0 mysql-entrypoint.sh /var/lib/mysql mysqld "$EMPTY_DATA"
build mariadb:11 mysql-entrypoint.sh /var/lib/mysql mariadbd "$EMPTY_DATA"
build postgres:15 postgres-entrypoint.sh /var/lib/postgresql/data postgres \
  "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data"
echo "images: mysql:8.0 mariadb:11 postgres:15"
