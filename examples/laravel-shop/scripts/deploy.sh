#!/usr/bin/env bash
# Deploy the latest main branch on the production host.
set -euo pipefail

cd "$(dirname "$0")/.."

git pull --ff-only origin main
docker compose down -v
docker compose build --pull app
docker compose up -d
