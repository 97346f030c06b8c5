# Shared helpers for the project's scripts. Sourced, never run.
set -euo pipefail
# root's tools (runuser, …) live in sbin, which a minimal PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SILTA_CACHE_DIR:-$ROOT/.cache}"
mkdir -p "$CACHE/logs"

KAFKA_VERSION="${SILTA_KAFKA_VERSION:-4.3.1}"
SLF4J_VERSION="2.0.17"
KAFKA_PORT="${SILTA_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${SILTA_KAFKA_CONTROLLER_PORT:-9093}"
# A second listener with TLS and client-certificate authentication (as a Strimzi cluster's), so
# the services' Kafka TLS settings are tested against a real broker.
KAFKA_TLS_PORT="${SILTA_KAFKA_TLS_PORT:-9094}"
# A third listener for fault drills: the broker listens on KAFKA_PROXIED_PORT but advertises
# KAFKA_FAULT_PORT, where a test runs a TCP proxy it can cut (tests/resilience), so every
# connection a client makes to this listener, metadata-driven ones included, goes through it.
KAFKA_PROXIED_PORT="${SILTA_KAFKA_PROXIED_PORT:-9095}"
KAFKA_FAULT_PORT="${SILTA_KAFKA_FAULT_PORT:-9096}"
PG_PORT="${SILTA_PG_PORT:-5432}"
REDIS_PORT="${SILTA_REDIS_PORT:-6379}"
NODE_MAJOR=24

if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; Y=$'\e[33m'; N=$'\e[0m'; else B=; G=; R=; Y=; N=; fi
step() { printf '%s==>%s %s\n' "$B" "$N" "$*"; }
ok()   { printf '    %sok%s %s\n' "$G" "$N" "$*"; }
warn() { printf '    %s!!%s %s\n' "$Y" "$N" "$*"; }
die()  { printf '%sERROR%s %s\n' "$R" "$N" "$*" >&2; exit 1; }

# apt-get install only what is missing; 'apt-get update' once per run when needed.
APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "need Debian packages ${missing[*]} and there is no apt-get"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ $APT_UPDATED -eq 0 ]; then $sudo apt-get update -qq >"$CACHE/logs/apt.log" 2>&1; APT_UPDATED=1; fi
  step "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$CACHE/logs/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed; see $CACHE/logs/apt.log"
}

# wait_for "what" seconds command...
wait_for() {
  local what=$1 secs=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - start)) -ge "$secs" ] && return 1
    sleep 0.5
  done
  ok "$what ready in $((SECONDS - start))s"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
