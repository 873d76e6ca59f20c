# filtergen — build and test.
#
#   make test     install what the tests need (idempotent, as root), then
#                 go vet and every test with -race
#   make build    build bin/filtergen
#   make lint     gofmt and go vet
#   make bench    run the Go benchmarks once
<<<<<<< HEAD
#   make soak     a few minutes of hostile clients against `filtergen serve`
#                 (SOAK=3m by default; not part of make test)
=======
#   make interop  run only the interop lab (internal/lab), verbose: real BIRD 2
#                 in network namespaces against the rendered configs
>>>>>>> main

GO       ?= go
APT_PKGS := bgpq4 bird2 frr frr-rpki-rtrlib openbgpd stayrtr nftables chromium iproute2 procps
# The command each package provides, to tell whether it is installed.
APT_CMDS := bgpq4 bird vtysh bgpd stayrtr nft chromium ip sysctl

<<<<<<< HEAD
.PHONY: all build test deps lint bench fuzz soak clean
=======
.PHONY: all build test deps lint bench fuzz clean interop
>>>>>>> main

all: build

build:
	$(GO) build -o bin/filtergen ./cmd/filtergen

# deps installs the tools the tests run against: bgpq4 (the oracle),
# bird2, frr with its RPKI module, openbgpd and nftables (config validators
# and the interop lab's routers), iproute2 and procps (the lab's
# namespaces), Debian's stayrtr 0.5.1 (RTR version 2 with ASPA), chromium
# (opens the HTML report headless), and stayrtr v0.6.0 from the module's
# tool dependency. Nothing is installed when everything is already there.
deps:
	@missing=""; \
	for c in $(APT_CMDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	ls /usr/lib/*/frr/modules/bgpd_rpki.so >/dev/null 2>&1 || missing="$$missing bgpd_rpki.so"; \
	if [ -n "$$missing" ]; then \
		echo "installing test tools (missing:$$missing)"; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: need root for apt-get" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PKGS) >/dev/null; \
	fi
	$(GO) build -o bin/stayrtr github.com/bgp/stayrtr/cmd/stayrtr

test: deps
	$(GO) vet ./...
	FILTERGEN_STAYRTR=$(CURDIR)/bin/stayrtr $(GO) test -race -timeout 25m ./...

# interop runs the lab alone with verbose output, to debug a mismatch:
# every check's table is printed. As root (network namespaces).
interop: deps
	FILTERGEN_STAYRTR=$(CURDIR)/bin/stayrtr $(GO) test -race -count=1 -timeout 10m -v ./internal/lab/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

SOAK ?= 3m
soak:
	FILTERGEN_SOAK=$(SOAK) $(GO) test -tags soak -run TestServeSoak -v -timeout 30m ./internal/soak/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin out
