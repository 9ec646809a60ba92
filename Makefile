# Every target sets up what it needs first (scripts/setup.sh is idempotent).
.PHONY: setup up demo test test-unit test-stack lint typecheck format persona bench
RUN := scripts/with-env.sh

setup:
	@scripts/setup.sh

## Run the whole stack (Redis, livekit-server, livekit-sip, dispatch, agent) until Ctrl-C.
up: setup
	@$(RUN) node scripts/up.ts

## Place one simulated Genesys Cloud call through the whole stack and print what happened.
demo: setup
	@$(RUN) node scripts/demo.ts

## Every check and test, as CI runs it.
test: setup
	@$(RUN) scripts/test.sh

## Wire benchmark against LiveKit Agents for Python: make bench [FULL=1] [PROFILE=1] (docs/benchmark.md)
bench: setup
	@FULL=$(FULL) PROFILE=$(PROFILE) $(RUN) node bench/main.ts

test-unit: setup
	@$(RUN) npx --no-install vitest run --project unit

test-stack: setup
	@$(RUN) npx --no-install vitest run --project stack

lint: setup
	@$(RUN) npx --no-install eslint .

typecheck: setup
	@$(RUN) npx --no-install tsc -p tsconfig.json

format: setup
	@$(RUN) npx --no-install prettier --write .

## Scaffold a persona and its text-level test: make persona NAME=front-desk
persona: setup
	@$(RUN) node scripts/new-persona.ts $(NAME)
