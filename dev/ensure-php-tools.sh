#!/bin/sh
# The module's checks need php, phpunit, phpcs and xmllint (Debian packages). Install them when we can.
missing=""
for tool in php phpunit phpcs xmllint; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PHP tooling for the module checks (missing:$missing)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        php-cli phpunit php-codesniffer php-xml php-mbstring libxml2-utils >/dev/null && exit 0
fi
echo "Missing tools:$missing. Install them: sudo apt-get install php-cli phpunit php-codesniffer php-xml php-mbstring libxml2-utils" >&2
exit 1
