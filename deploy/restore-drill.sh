#!/usr/bin/env bash
# Restore drill: restore a dump into a fresh database, start the bot on it and check that it serves.
#
#   deploy/restore-drill.sh DUMP_FILE
#
#   RESTORE_ADMIN_URL  a PostgreSQL URL allowed to CREATE/DROP DATABASE (default: DATABASE_URL)
#   RESTORE_DB         name of the scratch database (default cdsbot_restore_<time>)
#   SOURCE_URL         optional: the database the dump came from; every table's row count must match
#   CDSBOT             how to run the command line (default: cdsbot)
#   DRILL_PORT         port for the drill's server (default 18080)
#   KEEP=1             keep the restored database (default: dropped at the end)
#
# Steps: create the scratch database, pg_restore into it (stopping at the first error), migrate to
# head (a dump from an older release must upgrade), compare row counts with SOURCE_URL, start
# `cdsbot serve` on it (no channels, no scheduler), wait for /healthz, open a web-chat session and
# ask a question; the drill passes only if the bot answers from the restored data.
set -euo pipefail

dump="${1:?Cách dùng: restore-drill.sh TỆP_SAO_LƯU}"
[[ -r "$dump" ]] || { echo "Không đọc được tệp sao lưu: $dump" >&2; exit 2; }
admin="${RESTORE_ADMIN_URL:-${DATABASE_URL:?Đặt RESTORE_ADMIN_URL hoặc DATABASE_URL}}"
admin="${admin/postgresql+asyncpg:/postgresql:}"
db="${RESTORE_DB:-cdsbot_restore_$(date -u +%Y%m%d%H%M%S)}"
cdsbot="${CDSBOT:-cdsbot}"
port="${DRILL_PORT:-18080}"
base="${admin%/*}"
target="$base/$db"
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ "${KEEP:-0}" != "1" ]]; then
    psql -q -X -d "$admin" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step() { echo "==> $*"; }

step "Tạo cơ sở dữ liệu trống $db"
psql -q -X -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE \"$db\"" >/dev/null

step "Khôi phục $dump"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$dump"

step "Nâng cấp lược đồ lên phiên bản mới nhất"
DATABASE_URL="$target" $cdsbot db upgrade

counts() {
  psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c \
    "SELECT string_agg(format('%s=%s', table_name,
        (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]::text),
        ' ' ORDER BY table_name)
     FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'"
}
if [[ -n "${SOURCE_URL:-}" ]]; then
  step "So số dòng từng bảng với cơ sở dữ liệu gốc"
  source_url="${SOURCE_URL/postgresql+asyncpg:/postgresql:}"
  expected="$(counts "$source_url")"
  actual="$(counts "$target")"
  if [[ "$expected" != "$actual" ]]; then
    echo "Số dòng khác nhau." >&2
    diff <(tr ' ' '\n' <<<"$expected") <(tr ' ' '\n' <<<"$actual") >&2 || true
    exit 1
  fi
  echo "$(wc -w <<<"$actual") bảng khớp"
fi

step "Chạy Trợ lý trên bản khôi phục (cổng $port)"
env -u TELEGRAM_BOT_TOKEN -u ZALO_BOT_TOKEN -u ZALO_OA_APP_ID \
  DATABASE_URL="$target" WEB_HOST=127.0.0.1 WEB_PORT="$port" SCHEDULER_ENABLED=false \
  $cdsbot serve >"${DRILL_LOG:-/dev/null}" 2>&1 &
server_pid=$!
http() {  # http METHOD PATH [JSON [TOKEN]]: the body on stdout; fails on a non-2xx answer
  python3 - "$port" "$@" <<'PY'
import json, sys, urllib.request
port, method, path = sys.argv[1:4]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
headers = {"Content-Type": "application/json"}
if len(sys.argv) > 5:
    headers["Authorization"] = "Bearer " + sys.argv[5]
request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body, headers, method=method)
with urllib.request.urlopen(request, timeout=30) as response:
    sys.stdout.write(response.read().decode())
PY
}
for _ in $(seq 1 120); do
  if http GET /healthz >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "Máy chủ dừng khi khởi động." >&2; exit 1; }
  sleep 0.5
done
http GET /healthz >/dev/null

step "Hỏi Trợ lý qua web chat"
token="$(http POST /api/chat/sessions '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')"
answer="$(http POST /api/chat/messages '{"text": "VNeID là gì?"}' "$token")"
python3 - "$answer" <<'PY'
import json, sys
replies = json.loads(sys.argv[1])["replies"]
assert replies and any(r["text"].strip() for r in replies), replies
print("Trợ lý trả lời:", replies[0]["text"].splitlines()[0][:80])
PY

echo "Khôi phục thử thành công: $dump → $db"
