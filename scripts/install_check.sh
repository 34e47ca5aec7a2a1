#!/bin/sh
# install_check.sh SO_PATH SITEDIR PYTHON [FORCE]
#
# Run by "make install" (also under "make -n install") before anything is
# copied.  Stops, with what to do instead, when the install would
#   - overwrite a file a distribution package owns (Debian's
#     libapache2-mod-python ships /usr/lib/apache2/modules/mod_python.so
#     and the mod_python package in /usr/lib/python3/dist-packages), or
#   - put our mod_python package where PYTHON searches, beside a packaged
#     mod_python package: each Python program, and each mod_python.so,
#     would then import whichever of the two comes first on sys.path.
# FORCE=yes skips the checks.  Exit status 0: go ahead; 1: stopped.

so=$1
sitedir=$2
python=$3
force=$4

[ "$force" = yes ] && exit 0

# The package that owns path, or nothing (also where there is no dpkg).
owner() {
    command -v dpkg >/dev/null 2>&1 || return 0
    dpkg -S "$1" 2>/dev/null | grep -v '^diversion ' | head -n 1 \
        | sed -e 's/: .*//'
}

advice() {
    cat >&2 <<TEXT

Either
  - remove the distribution's package first:
        apt-get remove $1
  - or install this build beside it, under another file name and with the
    Python package outside Python's own search path:
        make install MP_SO_NAME=mod_python3.so PY_SITEDIR=/usr/local/lib/mod_python3
    then disable the packaged module (a2dismod python), load this one, and
    give httpd PYTHONPATH=/usr/local/lib/mod_python3 (see "Installing beside
    a packaged mod_python" in the installation chapter of the manual)
  - or stage the files elsewhere:   make install DESTDIR=/tmp/stage
  - or, knowing the package manager will not know: make install MP_INSTALL_FORCE=yes
TEXT
    exit 1
}

pkg=$(owner "$so")
if [ -n "$pkg" ]; then
    echo "make install: stopped: $so belongs to the package $pkg." >&2
    echo "Installing would overwrite that package's file (and its next" >&2
    echo "upgrade would silently put its own back)." >&2
    advice "$pkg"
fi

pkg=$(owner "$sitedir/mod_python")
if [ -n "$pkg" ]; then
    echo "make install: stopped: $sitedir/mod_python belongs to the" >&2
    echo "package $pkg; installing would overwrite it." >&2
    advice "$pkg"
fi

# Another mod_python package on the search path of the target Python, when
# ours would be on it too.
others=$("$python" - "$sitedir" <<'PY'
import os, sys
target = os.path.realpath(sys.argv[1])
paths = [os.path.realpath(p) for p in sys.path if p]
if target in paths:
    for p in paths:
        if p != target and os.path.isfile(os.path.join(p, "mod_python",
                                                       "__init__.py")):
            print(os.path.join(p, "mod_python"))
PY
)
for other in $others; do
    pkg=$(owner "$other")
    if [ -n "$pkg" ]; then
        echo "make install: stopped: the mod_python package would go into" >&2
        echo "$sitedir, which $python searches, as it searches $other" >&2
        echo "(from the package $pkg): one would hide the other, for httpd" >&2
        echo "and for every Python program." >&2
        advice "$pkg"
    fi
done
exit 0
