# jianfu — two commands matter: `go run ./cmd/jianfu demo` and `make test`.
.PHONY: test bench build demo fuzz cross

test:
	./scripts/test.sh

bench:
	./scripts/bench.sh

build:
	CGO_ENABLED=0 go build -trimpath -o bin/jianfu ./cmd/jianfu

demo:
	go run ./cmd/jianfu demo

cross:
	for arch in amd64 arm64 loong64; do CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -o bin/jianfu-linux-$$arch ./cmd/jianfu || exit 1; done

# Short fuzzing of every fuzz target (FUZZTIME per target, default 20s).
FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)
