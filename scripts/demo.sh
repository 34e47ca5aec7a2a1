#!/bin/sh
# Set everything up, build, and serve the tutorial examples (manual chapter
# 3) on http://127.0.0.1:8080/ until interrupted.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec /usr/bin/python3 scripts/demo.py "$@"
