#!/bin/sh
# check_pythons.sh -- build mod_python against other Pythons and run the
# core of the test suite with each.
#
#   scripts/check_pythons.sh /opt/python3.13/bin/python3.13 [PYTHON...]
#
# Each Python must be built with --enable-shared and installed where
# Apache's children (www-data) can read it: a Python under /root (pyenv's
# default) must be copied elsewhere first, e.g.
#   cp -a ~/.pyenv/versions/3.13.0 /opt/python3.13
# Its home is taken to be the directory above its bin/, and given to httpd
# as PYTHONHOME, since a copied Python no longer lives at its configured
# prefix.
#
# The tests chosen are those that need nothing but the standard library
# in the embedded Python: the WSGI, Redis and DBM tests use packages
# Debian installs for its own Python only.  Each build happens in a
# temporary copy of the committed tree, whose tests and package are used.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
tests="test/test_phases.py test/test_dispatch_cache.py test/test_request.py
test/test_request_api.py test/test_publisher.py test/test_psp.py
test/test_filters.py test/test_connection.py test/test_interpreters.py
test/test_table.py test/test_cookie.py test/test_util.py
test/test_write_flush.py test/test_returns.py test/test_config.py
test/test_bad_input.py"
status=0
for python in "$@"; do
    home=$(dirname "$(dirname "$python")")
    version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    build=$(mktemp -d /tmp/mp-check-python-XXXXXX)
    echo "== Python $version ($python), building in $build"
    (cd "$here" && git archive HEAD) | tar -x -C "$build"
    if ! (cd "$build" && ./configure --with-python="$python" >configure.log 2>&1 \
          && make -C src >make.log 2>&1); then
        echo "   build FAILED: see $build/configure.log and $build/make.log"
        status=1
        continue
    fi
    echo "   built; compiler warnings: $(grep -c 'warning:' "$build/make.log" || true)"
    # shellcheck disable=SC2086  # the list is meant to split
    if (cd "$build" && MP_TEST_MODULE="$build/src/.libs/mod_python.so" \
            MP_TEST_PYTHONHOME="$home" \
            /usr/bin/python3 -m pytest -p no:cacheprovider -q $tests); then
        echo "   Python $version: passed"
        rm -rf "$build"
    else
        echo "   Python $version: FAILED (build kept in $build)"
        status=1
    fi
done
exit $status
