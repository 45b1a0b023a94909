# Stox: `make` lists the targets. Go alone runs and tests everything (run, test);
# the compose targets (up … backup) need Docker.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# `docker compose` (v2) when present, else Debian's `docker-compose` (v1).
ifndef COMPOSE
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
endif
# S3=1 (make up S3=1, make backup S3=1, …): the stack with its blobs in SeaweedFS's
# S3 API instead of the shared blobs volume (docker-compose.s3.yml, profile s3).
ifdef S3
override COMPOSE += -f docker-compose.yml -f docker-compose.s3.yml --profile s3
endif
# docker-compose v1 builds with BuildKit (the Dockerfile's cache mounts) only when asked.
export DOCKER_BUILDKIT := 1
export COMPOSE_DOCKER_CLI_BUILD := 1

# Knobs: make test TEST_TIMEOUT=20m, make bench BENCHTIME=100x, make fuzz FUZZTIME=1m …
TEST_TIMEOUT ?= 15m
TESTFLAGS ?=
BENCHTIME ?= 1s
FUZZTIME ?= 15s
# The services run by `stox serve` (one compose service each).
SERVICES := image ai seo amazon trendyol hepsiburada sync

.PHONY: help run sandbox build test e2e bench vipsref fuzz lint definitions up down scale logs status \
	monitor poison backup restore image clean demo dashboard

help: ## List the targets
	@echo "Usage: make <target> [VAR=value]"
	@awk 'BEGIN {FS = ":.*## "} /^## / {printf "\n%s\n", substr($$0, 4)} /^[a-z][a-z0-9-]*:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

## Go (needs only Go)

run: ## Run every service in one process: in-memory broker, SQLite under ./data, API on 127.0.0.1:8080
	@echo "compiling stox (the first time takes a minute or two), then running every service in one process"
	go run ./cmd/stox run

sandbox: ## Serve the marketplace sandbox alone on 127.0.0.1:8090 (stox run starts its own)
	go run ./cmd/stox sandbox

build: ## Build bin/stox
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o bin/stox ./cmd/stox

test: ## Run every test, the end-to-end runs small; STOX_TEST_REQUIRE_SERVICES=1 fails instead of skipping without RabbitMQ/PostgreSQL
	go test ./... -count=1 -timeout $(TEST_TIMEOUT) $(TESTFLAGS)

e2e: ## Run the end-to-end tests at full size (pipeline: 200 products; marketplaces: 300 products, 1000 orders; in process and on RabbitMQ/PostgreSQL; import: 500 rows; multi-node on S3: 200 products)
	STOX_E2E=full go test ./cmd/stox/ -run '^Test(Pipeline|Marketplaces|Import$$|MultiNode$$)' -count=1 -v -timeout $(TEST_TIMEOUT) $(TESTFLAGS)

bench: ## Run every benchmark, then print the performance table: each figure beside its reference from the same run (README "Performance")
	@set -o pipefail; { \
		go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $$(go list ./... | grep -v '/imaging$$'); a=$$?; \
		go test -run '^$$' -bench 'Process|Resize|Decode' -benchmem -cpu 1 -count $(PHOTO_COUNT) ./imaging; b=$$?; \
		$(MAKE) -s vipsref; exit $$((a | b | $$?)); \
	} 2>&1 | go run ./internal/benchtable

# The image stage runs on one core (-cpu 1) PHOTO_COUNT times, then the libvips
# baseline (bench/vipsref, a module of its own: cgo and libvips stay out of the main
# build) on the same photo; skipped without libvips-dev. bench/vipsref/compare.sh
# alternates the two, steadier on a busy machine.
PHOTO_COUNT ?= 5
vipsref:
	@if ! pkg-config --exists vips 2>/dev/null; then echo "--- libvips baseline skipped: apt-get install -y libvips-dev"; exit 0; fi; \
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	STOX_BENCH_SAVE=$$dir go test ./imaging -run '^TestSaveOutputs$$' -count 1 >/dev/null && \
	cd bench/vipsref && go run . -img $$dir/photo.jpg -n 10

fuzz: ## Run every Fuzz target for FUZZTIME (default 15s) each
	@targets=$$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | grep -v '/testdata/' | sed 's/:func /:/'); \
	if [ -z "$$targets" ]; then echo "no Fuzz targets"; exit 0; fi; \
	for t in $$targets; do \
		dir=$$(dirname "$${t%%:*}"); name=$${t##*:}; \
		echo "--- $$name ($$dir)"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "./$${dir#./}" || exit 1; \
	done

.PHONY: chaos
chaos: ## The fault suite: every service as its own process under kill -9, SIGTERM, outages, duplicates (needs RabbitMQ, PostgreSQL; README "Faults")
	STOX_CHAOS=full go test ./chaos/ -count=1 -v -timeout 30m

lint: ## gofmt (fails on any unformatted file) and go vet
	@out=$$(find . -name '*.go' -not -path './vendor/*' -not -path '*/testdata/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

definitions: ## Regenerate docker/rabbitmq/definitions.json and the Kubernetes (quorum) one from the topology (stox topology)
	@tmp=docker/rabbitmq/definitions.json.tmp; \
	env -u STOX_PREFIX -u STOX_AMQP_QUORUM go run ./cmd/stox topology > $$tmp || { rm -f $$tmp; exit 1; }; \
	mv $$tmp docker/rabbitmq/definitions.json && echo "wrote docker/rabbitmq/definitions.json"
	@tmp=deploy/kubernetes/base/rabbitmq/definitions.json.tmp; \
	env -u STOX_PREFIX STOX_AMQP_QUORUM=true go run ./cmd/stox topology > $$tmp || { rm -f $$tmp; exit 1; }; \
	mv $$tmp deploy/kubernetes/base/rabbitmq/definitions.json && echo "wrote deploy/kubernetes/base/rabbitmq/definitions.json (quorum)"

## Docker compose (the stack in docker-compose.yml)

# docker-engine fails in one line when no Docker engine answers (compose would print a
# Python traceback instead): every target that runs containers needs it first.
.PHONY: docker-engine
docker-engine:
	@command -v docker >/dev/null 2>&1 || { echo "make: this target runs containers and needs Docker: no docker command found (make run needs only Go)"; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "make: this target runs containers and needs a running Docker engine: 'docker info' fails (start dockerd; make run needs only Go)"; exit 1; }

.env:
	@echo "creating .env from .env.example with fresh secrets"
	@umask 077; while IFS= read -r line; do \
		case "$$line" in \
			*=change-me) printf '%s%s\n' "$${line%change-me}" "$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" ;; \
			*) printf '%s\n' "$$line" ;; \
		esac; \
	done < .env.example > .env

up: docker-engine .env ## Build the image and start the stack (creates .env from .env.example if missing); S3=1: blobs in SeaweedFS, not a shared volume
	$(COMPOSE) build image
	$(COMPOSE) up -d
	@echo "API: http://localhost:$$(sed -n 's/^STOX_HTTP_PORT=//p' .env)/v1/products (key: STOX_API_KEYS in .env)"

down: docker-engine ## Stop the stack (volumes stay; add ARGS=-v to delete them)
	$(COMPOSE) --profile monitor down $(ARGS)

scale: docker-engine .env ## Run N replicas of a service: make scale SERVICE=ai N=5
	@[ -n "$(N)" ] || { echo "usage: make scale SERVICE=ai N=5"; exit 2; }
	$(COMPOSE) up -d --no-recreate --scale $(or $(SERVICE),ai)=$(N) $(or $(SERVICE),ai)

logs: docker-engine ## Follow the logs (all, or SERVICE=ai)
	$(COMPOSE) logs -f --tail=100 $(SERVICE)

# status and dashboard ask every service from inside the image container (admin ports
# are not published); LOCAL=1 asks make run, or services run by hand, on this machine.
status: $(if $(LOCAL),,docker-engine) ## Services' health, queues, metrics, products' stages (stox status); LOCAL=1: of make run
	$(if $(LOCAL),go run ./cmd/stox status,$(COMPOSE) exec -T image /stox status) $(ARGS)

dashboard: $(if $(LOCAL),,docker-engine) ## The same, live (stox monitor: keys 1-4 switch views, q quits); LOCAL=1: of make run
	$(if $(LOCAL),go run ./cmd/stox monitor,$(COMPOSE) exec image /stox monitor) $(ARGS)

monitor: docker-engine .env ## Start Prometheus (127.0.0.1:9091; alert rules) and Grafana (127.0.0.1:3000; dashboards)
	@grep -q '^GRAFANA_ADMIN_PASSWORD=.' .env || { \
		echo "adding a generated GRAFANA_ADMIN_PASSWORD to .env"; \
		sed -i '/^GRAFANA_ADMIN_PASSWORD=/d' .env; \
		printf 'GRAFANA_ADMIN_PASSWORD=%s\n' "$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> .env; }
	$(COMPOSE) --profile monitor up -d prometheus grafana
	@p=$$(sed -n 's/^PROMETHEUS_PORT=//p' .env); g=$$(sed -n 's/^GRAFANA_PORT=//p' .env); \
	echo "Prometheus: http://127.0.0.1:$${p:-9091} (alerts: /alerts)"; \
	echo "Grafana:    http://127.0.0.1:$${g:-3000} (user admin, password GRAFANA_ADMIN_PASSWORD in .env)"

poison: ## Poison queues of the broker at STOX_AMQP_URL (default local guest): ARGS="show ai_processing"
	STOX_AMQP_URL="$${STOX_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}" go run ./cmd/stox poison $(or $(ARGS),list)

backup: docker-engine .env ## Back up into backups/<stamp>.pgdump (database), .blobs.tar.gz (images) and .rabbitmq.json (broker definitions)
	@mkdir -p backups
	$(COMPOSE) build backup
	$(COMPOSE) run --rm backup /stox-backup/backup.sh

# restore checks the set before stopping anything; restore.sh checks it again, whole,
# before it changes anything (docker/backup).
restore: docker-engine .env ## Restore a backup over the current data (services stopped meanwhile): make restore BACKUP=backups/<stamp>
	@for ext in rabbitmq.json pgdump blobs.tar.gz; do [ -n "$(BACKUP)" ] && [ -f "$(BACKUP).$$ext" ] || \
		{ echo "usage: make restore BACKUP=backups/<stamp> (needs <stamp>.rabbitmq.json, <stamp>.pgdump and <stamp>.blobs.tar.gz; missing $(BACKUP).$$ext)"; exit 2; }; done
	$(COMPOSE) build backup
	$(COMPOSE) stop $(SERVICES)
	$(COMPOSE) run --rm -e BACKUP_STAMP=$(notdir $(BACKUP)) backup /stox-backup/restore.sh
	$(COMPOSE) up -d

# Compose only: beside make run, the same demo is `go run ./cmd/stox demo` in a second
# terminal (make run holds the first, and both listen on the same ports).
demo: docker-engine .env ## Sample products and orders through the running stack (make up first), then a summary
	$(COMPOSE) run --rm demo

image: docker-engine ## Build the Docker image stox:local
	docker build -f docker/Dockerfile -t stox:local .

clean: ## Remove bin/ (./data stays: it holds stox run's database and blobs)
	rm -rf bin
