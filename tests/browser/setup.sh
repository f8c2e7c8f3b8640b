#!/usr/bin/env bash
# Prepares the map page's browser test on a fresh Debian machine (CI calls this):
# Debian's chromium (never a browser download: `npx playwright install` cannot work here),
# a CJK font so zh-CN text renders in screenshots, Node.js if absent, and the test's npm
# packages (playwright-core only). With --web it also installs web/'s packages and rebuilds
# the bundle into api/assets/map/ (esbuild output is deterministic for the locked versions,
# so `git diff --exit-code api/assets/map` then tells whether the committed bundle is current).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi

if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--web" ]; then
  (cd "$root/web" && npm ci --no-audit --no-fund && npm run build)
fi
