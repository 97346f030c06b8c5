#!/usr/bin/env bash
# `buf breaking` against the previous commit of main that had proto/ (TOOLCHAIN.md): a field is
# never reused or renumbered. Skipped, with a message, when there is no such commit.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ref=$(git rev-parse -q --verify main 2>/dev/null || true)
# Compare the working tree with main's HEAD; on main itself, with the commit before HEAD.
base=$ref
if [ "$(git rev-parse HEAD 2>/dev/null)" = "$ref" ] && git diff --quiet HEAD -- proto 2>/dev/null; then
  base=$(git rev-list -1 --skip=1 HEAD -- proto 2>/dev/null || true)
fi
if [ -z "$base" ] || ! git ls-tree -d "$base" proto >/dev/null 2>&1 || [ -z "$(git ls-tree -d "$base" proto)" ]; then
  echo "==> buf breaking: skipped (no earlier commit with proto/ to compare against)"
  exit 0
fi
echo "==> buf breaking against ${base:0:12}"
buf breaking --against ".git#ref=$base"
