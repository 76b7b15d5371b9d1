#!/usr/bin/env bash
# Back up the bot's PostgreSQL database: a pg_dump in custom format, checked, then old dumps pruned.
#
#   DATABASE_URL       the bot's database (postgresql://user@host:5432/db; +asyncpg is accepted)
#   BACKUP_DIR         where dumps go (default /var/backups/cdsbot)
#   BACKUP_KEEP_DAYS   dumps older than this many days are deleted (default 14)
#   BACKUP_KEEP_MIN    but the newest this many are always kept (default 7)
#
# A dump is written under a temporary name and renamed only after `pg_restore --list` has read it
# back, so a crash or a full disk never leaves a truncated file that looks like a backup.
# Prints the path of the new dump on stdout.
set -euo pipefail

url="${BACKUP_DATABASE_URL:-${DATABASE_URL:?DATABASE_URL chưa đặt: không biết sao lưu cơ sở dữ liệu nào}}"
url="${url/postgresql+asyncpg:/postgresql:}"
url="${url/postgres:\/\//postgresql://}"
dir="${BACKUP_DIR:-/var/backups/cdsbot}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
keep_min="${BACKUP_KEEP_MIN:-7}"

mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dir/cdsbot-$stamp.dump"
partial="$dir/.cdsbot-$stamp.dump.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$url"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$final"

# Retention: delete dumps older than keep_days, but never the newest keep_min.
mapfile -t dumps < <(ls -1t "$dir"/cdsbot-*.dump 2>/dev/null || true)
for index in "${!dumps[@]}"; do
  if (( index >= keep_min )) && [[ -n "$(find "${dumps[$index]}" -mtime +"$keep_days" -print)" ]]; then
    rm -f -- "${dumps[$index]}"
  fi
done

echo "$final"
