#!/usr/bin/env bash
# Installs what the tests need from Debian's packages when it is missing: Chromium for the end-to-end
# tests (never a downloaded browser) and Noto CJK fonts so that screenshots show Chinese text.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "需要安装：${missing[*]}（请以 root 运行 apt-get install -y ${missing[*]}）" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
