#!/bin/sh
# Install what building and testing mod_python needs on Debian 12, then
# configure and build it.  Safe to run again: it installs only what is
# missing and rebuilds only what changed.
set -eu
cd "$(dirname "$0")/.."

# libapache2-mod-python: test/test_install.py checks that make install
# refuses to overwrite or shadow a packaged mod_python (it is never loaded).
# chromium: test/test_page_width.py measures the diagnostics pages in it.
PACKAGES="apache2 apache2-dev python3-dev python3-setuptools make gcc
          python3-pytest python3-requests python3-hypothesis
          python3-aiosmtpd python3-gdbm
          python3-sphinx flex
          python3-flask python3-django
          python3-redis redis-server
          python3-venv python3-cryptography python3-pip
          wrk valgrind openssl
          libapache2-mod-python chromium"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing:$missing"
    # Keep Debian from starting the system apache2 and redis-server
    # services on install: we only want their binaries and modules, and
    # we start our own servers.  A
    # policy-rc.d the machine already has is set aside and put back
    # afterwards, also when apt fails or we are interrupted.  (A copy set
    # aside by a run that was killed outright is the owner's: keep it.)
    policy=/usr/sbin/policy-rc.d
    saved=/usr/sbin/policy-rc.d.mod_python-setup-saved
    wrote=""
    restore_policy() {
        if $SUDO test -e "$saved" || $SUDO test -L "$saved"; then
            $SUDO mv -f "$saved" "$policy"
        elif [ -n "$wrote" ]; then
            $SUDO rm -f "$policy"
        fi
    }
    trap restore_policy EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ! $SUDO test -e "$saved" && ! $SUDO test -L "$saved" &&
       { $SUDO test -e "$policy" || $SUDO test -L "$policy"; }; then
        $SUDO mv "$policy" "$saved"
    fi
    wrote=yes
    $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d &&
                 chmod 755 /usr/sbin/policy-rc.d'
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $missing
    restore_policy
    wrote=""
    trap - EXIT HUP INT TERM
fi

# Applications that ship their own mod_python front end, which the tests
# run (test/test_app_*.py): installed from PyPI for Debian's python3,
# outside the repository, where Apache's unprivileged children can read
# them.  Pinned to the versions the tests were written against; a second
# run finds the stamp and does nothing.
APPS_DIR=${MP_TEST_APPS:-/usr/local/lib/mod_python-test-apps}
APPS_PINS="roundup==2.6.0 cherrypy==18.10.0"
# ... and what they pulled in when the tests were written, so that a new
# release of a dependency cannot change what the tests run.
APPS_PINS="$APPS_PINS cheroot==11.1.2 portend==3.2.1 tempora==5.13.0
    more-itertools==11.2.1 zc.lockfile==4.0 jaraco.collections==5.2.1
    jaraco.context==6.1.2 jaraco.functools==4.6.0 jaraco.text==4.3.0
    backports.tarfile==1.2.0 python-dateutil==4.0.0 tzdata==2026.6
    setuptools==84.2.1 typer==0.29.2 typer-slim==0.24.0 rich==15.0.0
    shellingham==1.5.4 pygments==2.21.0 markdown-it-py==4.3.0 mdurl==0.1.2
    pydantic==2.14.4 pydantic-core==2.50.5 annotated-types==0.8.0
    annotated-doc==0.0.7 typing-extensions==4.16.0 typing-inspection==0.4.5"
APPS_PINS=$(echo $APPS_PINS)    # one line, for the stamp
if [ "$(cat "$APPS_DIR/.installed" 2>/dev/null)" != "$APPS_PINS" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing $APPS_PINS into $APPS_DIR"
    $SUDO rm -rf "$APPS_DIR"
    # shellcheck disable=SC2086
    $SUDO /usr/bin/python3 -m pip install --quiet --no-cache-dir \
        --disable-pip-version-check --no-warn-script-location \
        --root-user-action=ignore \
        --target "$APPS_DIR" $APPS_PINS
    $SUDO chmod -R a+rX "$APPS_DIR"
    echo "$APPS_PINS" | $SUDO tee "$APPS_DIR/.installed" >/dev/null
fi

# Debian's python3 is the one Apache's unprivileged children can read.
if [ ! -f config.status ] || [ configure -nt config.status ]; then
    ./configure --with-python=/usr/bin/python3
fi
make
