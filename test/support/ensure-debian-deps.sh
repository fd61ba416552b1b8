#!/usr/bin/env bash
# Installs the Debian packages the tests drive (rpmbuild, createrepo_c, dnf, python3-rpm, ...)
# when any is missing. The test machines run as root; elsewhere sudo is used if present.
set -euo pipefail

PACKAGES=(rpm createrepo-c dnf python3-rpm python3-dnf python3-hawkey python3-createrepo-c libquartz2-java xz-utils bzip2 zstd openssl)

missing=0
for cmd in rpmbuild rpm createrepo_c modifyrepo_c dnf; do
  command -v "$cmd" >/dev/null 2>&1 || missing=1
done
/usr/bin/python3 -c 'import rpm, dnf, hawkey, createrepo_c' >/dev/null 2>&1 || missing=1
[ -f /usr/share/java/quartz2.jar ] || missing=1
for cmd in xz bzip2 zstd openssl; do
  command -v "$cmd" >/dev/null 2>&1 || missing=1
done
command -v java >/dev/null 2>&1 || PACKAGES+=(default-jre-headless)
[ "$missing" = 0 ] && exit 0

echo "test setup: installing Debian packages: ${PACKAGES[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "test setup: not root and no sudo; install ${PACKAGES[*]} by hand" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
