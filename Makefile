# Stox: `make` lists the targets. Go alone runs and tests everything (run, test);
# the compose targets (up … backup) need Docker.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# `docker compose` (v2) when present, else Debian's `docker-compose` (v1).
ifndef COMPOSE
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
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
	monitor poison backup restore image clean

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

e2e: ## Run the end-to-end tests at full size (pipeline: 200 products; marketplaces: 300 products, 1000 orders; in process and on RabbitMQ/PostgreSQL)
	STOX_E2E=full go test ./cmd/stox/ -run '^Test(Pipeline|Marketplaces)' -count=1 -v -timeout $(TEST_TIMEOUT) $(TESTFLAGS)

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

definitions: ## Regenerate docker/rabbitmq/definitions.json from the topology (stox topology)
	@tmp=docker/rabbitmq/definitions.json.tmp; \
	env -u STOX_PREFIX -u STOX_AMQP_QUORUM go run ./cmd/stox topology > $$tmp || { rm -f $$tmp; exit 1; }; \
	mv $$tmp docker/rabbitmq/definitions.json && echo "wrote docker/rabbitmq/definitions.json"

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

up: docker-engine .env ## Build the image and start the stack (creates .env from .env.example if missing)
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

status: docker-engine ## Containers with their health, then every poison queue with its count
	$(COMPOSE) ps
	$(COMPOSE) exec -T image /stox poison list

monitor: docker-engine .env ## Start Prometheus (127.0.0.1:9091) scraping every service and RabbitMQ
	$(COMPOSE) --profile monitor up -d prometheus
	@echo "Prometheus: http://127.0.0.1:$$(sed -n 's/^PROMETHEUS_PORT=//p' .env)"

poison: ## Poison queues of the broker at STOX_AMQP_URL (default local guest): ARGS="show ai_processing"
	STOX_AMQP_URL="$${STOX_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}" go run ./cmd/stox poison $(or $(ARGS),list)

backup: docker-engine .env ## Dump the database and archive the blobs into backups/<stamp>.*
	@mkdir -p backups
	$(COMPOSE) run --rm backup 'stamp=$$(date -u +%Y%m%dT%H%M%SZ); \
		pg_dump -Fc -f "$$stamp.pgdump"; \
		tar --numeric-owner -C /data -czf "$$stamp.blobs.tar.gz" .; \
		echo "backup: backups/$$stamp.pgdump backups/$$stamp.blobs.tar.gz"'

restore: docker-engine .env ## Restore a backup over the current data: make restore BACKUP=backups/<stamp>
	@[ -n "$(BACKUP)" ] && [ -f "$(BACKUP).pgdump" ] && [ -f "$(BACKUP).blobs.tar.gz" ] || \
		{ echo "usage: make restore BACKUP=backups/<stamp> (needs <stamp>.pgdump and <stamp>.blobs.tar.gz)"; exit 2; }
	$(COMPOSE) stop $(SERVICES)
	$(COMPOSE) run --rm backup 'b=$(notdir $(BACKUP)); \
		pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error -d "$$PGDATABASE" "$$b.pgdump"; \
		find /data -mindepth 1 -delete; \
		tar --numeric-owner -C /data -xzf "$$b.blobs.tar.gz"'
	$(COMPOSE) up -d

image: docker-engine ## Build the Docker image stox:local
	docker build -f docker/Dockerfile -t stox:local .

clean: ## Remove bin/ (./data stays: it holds stox run's database and blobs)
	rm -rf bin
