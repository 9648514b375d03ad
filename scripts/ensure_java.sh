#!/usr/bin/env bash
# Make sure Java 17 or newer is installed for the Spark engine (issue 7; docs/scaling.md).
# Does nothing when `java -version` already reports 17+; otherwise installs Debian's
# openjdk-17-jre-headless with apt-get (apt-get update first). Called by the Makefile
# before the tests, so CI and a fresh machine get Java from the project's own set-up.
set -euo pipefail

MINIMUM=17

java_major() {
    # "openjdk version "17.0.15" ..." -> 17; "java version "1.8.0_402"" -> 8
    local banner version
    banner=$(java -version 2>&1 | head -n 1) || return 1
    version=$(printf '%s\n' "$banner" | sed -n 's/.*version "\([^"]*\)".*/\1/p')
    [ -n "$version" ] || return 1
    case "$version" in
        1.*) printf '%s\n' "$version" | cut -d. -f2 ;;
        *) printf '%s\n' "$version" | cut -d. -f1 | cut -d- -f1 ;;
    esac
}

if command -v java >/dev/null 2>&1 && major=$(java_major) && [ "$major" -ge "$MINIMUM" ]; then
    echo "java: $(java -version 2>&1 | head -n 1)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_java: Java $MINIMUM+ is needed for the Spark engine and apt-get is not available;" \
         "install a Java $MINIMUM+ runtime (e.g. 'conda install -c conda-forge openjdk=17')" \
         "and put it on PATH or set JAVA_HOME" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_java: installing Java needs root (or sudo): apt-get install" \
             "openjdk-17-jre-headless" >&2
        exit 1
    fi
fi

echo "ensure_java: no Java $MINIMUM+ found; installing openjdk-17-jre-headless with apt-get"
# Slim Debian images lack this folder and the JRE's post-install step then fails.
$SUDO mkdir -p /usr/share/man/man1
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    openjdk-17-jre-headless
hash -r
major=$(java_major) || { echo "ensure_java: java still does not run after the install" >&2; exit 1; }
if [ "$major" -lt "$MINIMUM" ]; then
    echo "ensure_java: 'java' on PATH is still version $major; select 17 with" \
         "'update-alternatives --config java' or set JAVA_HOME" >&2
    exit 1
fi
echo "java: $(java -version 2>&1 | head -n 1)"
