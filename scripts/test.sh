#!/bin/sh
# Set everything up, build, and run the whole test suite against a real
# httpd: under the prefork, event and worker MPMs.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh

status=0
for mpm in ${MP_TEST_MPMS:-prefork event worker}; do
    echo "=== test suite under the $mpm MPM ==="
    MP_TEST_MPM=$mpm /usr/bin/python3 -m pytest -p no:cacheprovider test "$@" \
        || status=1
done
exit $status
