# The README's commands. Each sets up what it needs first (scripts/setup.sh).
PORT ?= 8000
export PORT

.PHONY: demo test build bench docs
demo:
	bash scripts/run.sh demo
test:
	bash scripts/run.sh test
build:
	bash scripts/run.sh build
bench:
	bash scripts/run.sh bench
docs:
	python3 scripts/gen_docs.py
