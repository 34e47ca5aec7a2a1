#!/bin/sh
# Install what building and testing mod_python needs on Debian 12, then
# configure and build it.  Safe to run again: it installs only what is
# missing and rebuilds only what changed.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="apache2 apache2-dev python3-dev python3-setuptools make gcc
          python3-pytest python3-requests python3-hypothesis
          python3-aiosmtpd python3-gdbm
          python3-sphinx flex
          python3-flask python3-django
          python3-redis redis-server
          wrk valgrind openssl"

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

# Debian's python3 is the one Apache's unprivileged children can read.
if [ ! -f config.status ] || [ configure -nt config.status ]; then
    ./configure --with-python=/usr/bin/python3
fi
make
