#!/usr/bin/env bash
# Go-built tools, installed with `go install` into $CACHE/bin when missing (TOOLCHAIN.md):
#   grpcurl (tests of gRPC reflection), helm + kubeconform (chart checks), k6 (benchmarks).
# Usage: tools.sh NAME...   Cold builds take a minute or two each; the Go caches make reruns fast.
source "$(dirname "$0")/lib.sh"
BIN="$CACHE/bin"
mkdir -p "$BIN"

module_of() {
  case $1 in
    grpcurl)     echo "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3" ;;
    helm)        echo "helm.sh/helm/v3/cmd/helm@v3.22.0" ;;
    kubeconform) echo "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0" ;;
    k6)          echo "go.k6.io/k6@v1.8.1" ;;
    *) die "unknown tool $1" ;;
  esac
}

# The modules need a recent Go: prefer the official toolchain where the machine has one (Debian's
# golang-go may be older than the modules' go directive).
[ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || apt_install golang-go
for tool in "$@"; do
  [ -x "$BIN/$tool" ] && continue
  module=$(module_of "$tool")
  step "building $tool with go install ($module)"
  start=$SECONDS
  CGO_ENABLED=0 GOBIN="$BIN" GOFLAGS=-mod=mod go install "$module" >"$CACHE/logs/go-install-$tool.log" 2>&1 \
    || die "go install $module failed; see $CACHE/logs/go-install-$tool.log"
  ok "$tool in $((SECONDS - start))s"
done
