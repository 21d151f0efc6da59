# The two commands of the README.
#   make lesson   install what is missing, build, and run the Gaussian lesson
#   make test     install what is missing, then run every test (optimized: the Monte-Carlo
#                 checks run ~5× faster, which pays for the longer build), then the Python
#                 side: difftrace on real diffusers schedulers, checked by `lessons verify`;
#                 last the whole mutation audit once more with GSL's mt19937 drawing.
#                 Where OpenBLAS falls back to Prescott's kernels (a CPU newer than its
#                 table), every test runs with the family `lessons doctor --openblas-coretype`
#                 chose (asked once), as the binary itself does. The Python tests run as two processes
#                 side by side (scripts/test-python), the audit on every core (--jobs).
.PHONY: lesson test bench

lesson:
	scripts/setup
	.build/release/lessons run gaussian

test:
	scripts/setup --no-build
	swift build -c release --build-tests -Xswiftc -enable-testing
	family=$$(.build/release/lessons doctor --openblas-coretype); \
	  if [ -n "$$family" ]; then export OPENBLAS_CORETYPE=$$family; fi; \
	  swift test -c release -Xswiftc -enable-testing --skip-build && \
	  scripts/test-python && \
	  .build/release/lessons audit --rng mt19937

bench:
	scripts/setup
	.build/release/lessons bench normal
