#!/usr/bin/env bash
# Builds the production tree of one or more services into OUT: the shared packages they run on
# (not @silta/testing), the services' src/, data/, migrations/ and scripts/ (the gateway's
# `scripts/token.ts` mints development tokens in compose), the generated contracts, and
# `npm install --omit=dev` (no dev dependency: no vitest, no buf, no TypeScript compiler; Node 24
# runs the .ts sources by stripping types). The Dockerfile's image is this tree; a test starts
# the services from it against the real servers, which is how the image's contents are checked
# on machines without Docker.
# Usage: prod-tree.sh OUT SERVICE...   (run from the repository root, after `make gen` and `npm install`)
set -euo pipefail
out=$1; shift
root=$PWD
[ $# -gt 0 ] || { echo "usage: prod-tree.sh OUT SERVICE..." >&2; exit 2; }
[ -f packages/contracts/src/gen/.stamp ] || { echo "generate the contracts first (make gen)" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out/packages" "$out/services"
for p in packages/*/; do
  name=$(basename "$p"); [ "$name" = testing ] && continue
  mkdir -p "$out/packages/$name"
  cp -R "$p/package.json" "$p/src" "$out/packages/$name/"
  for d in data migrations; do [ -d "$p/$d" ] && cp -R "$p/$d" "$out/packages/$name/"; done
done
workspaces='"packages/*"'
for s in "$@"; do
  [ -f "services/$s/src/main.ts" ] || { echo "no service $s" >&2; exit 1; }
  mkdir -p "$out/services/$s"
  cp -R "services/$s/package.json" "services/$s/src" "$out/services/$s/"
  for d in data migrations scripts; do [ -d "services/$s/$d" ] && cp -R "services/$s/$d" "$out/services/$s/"; done
  workspaces="$workspaces, \"services/$s\""
done
cp package-lock.json "$out/"
node -e '
  const fs = require("fs"); const [out, ws] = process.argv.slice(1);
  const root = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const pkg = { name: root.name, private: true, type: root.type, engines: root.engines, workspaces: JSON.parse(`[${ws}]`) };
  fs.writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  for (const dir of ["packages", "services"]) for (const name of fs.readdirSync(`${out}/${dir}`)) {
    const f = `${out}/${dir}/${name}/package.json`; const p = JSON.parse(fs.readFileSync(f, "utf8"));
    delete p.devDependencies; delete p.scripts; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");
  }' "$out" "$workspaces"
(cd "$out" && npm install --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
# The fixes in patches/ (see patches/README.md) go into the image too: patch-package is a dev
# tool, so the build's copy applies them here (the tree's package.json has no postinstall).
cp -R patches "$out/patches"
(cd "$out" && "$root/node_modules/.bin/patch-package" --error-on-fail --error-on-warn >/dev/null) || { echo "patches/ did not apply to the production tree" >&2; exit 1; }
rm -rf "$out/patches"
rm -f "$out/package-lock.json"
