# jianfu — two commands matter: `go run ./cmd/jianfu demo` and `make test`.
.PHONY: test bench build demo fuzz cross shots

test:
	./scripts/test.sh

bench:
	./scripts/bench.sh

build:
	CGO_ENABLED=0 go build -trimpath -o bin/jianfu ./cmd/jianfu

demo:
	go run ./cmd/jianfu demo

# Screenshots of every page at desktop and phone size for every demo account (needs Chromium).
shots:
	./scripts/shots.sh shots

cross:
	for arch in amd64 arm64 loong64; do CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -o bin/jianfu-linux-$$arch ./cmd/jianfu || exit 1; done

# Short fuzzing of every fuzz target (FUZZTIME per target, default 20s).
FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)
