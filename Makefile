# The one test command (README, CI): vet, then every test. PostgreSQL tests
# run when LEGWORK_TEST_POSTGRES holds a connection URL; browser tests when
# Chromium is installed.
GO ?= go

.PHONY: test build run validation bench fmt

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

build:
	$(GO) build -o legwork ./cmd/legwork

run: build
	./legwork serve --demo

# Regenerates docs/VALIDATION.md from the shared validation recordings.
validation: build
	./legwork validate -o docs/VALIDATION.md ../shared/data

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -l -w .
