#!/usr/bin/env bash
# Make sure the PostgreSQL used by the tests answers on 127.0.0.1:5432; start the local cluster if not.
set -euo pipefail
url="${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
ready() { pg_isready -q -d "$url" 2>/dev/null; }
if ready; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL không chạy ở $url: các bài kiểm thử PostgreSQL sẽ thất bại." >&2
exit 1
