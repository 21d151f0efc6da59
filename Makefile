# The two commands of the README.
#   make lesson   install what is missing, build, and run the Gaussian lesson
#   make test     install what is missing, then run every test (optimized: the Monte-Carlo
#                 checks run ~5× faster, which pays for the longer build), then the Python
#                 side: difftrace on real diffusers schedulers, checked by `lessons verify`;
#                 last the whole mutation audit once more with GSL's mt19937 drawing
.PHONY: lesson test bench

lesson:
	scripts/setup
	.build/release/lessons run gaussian

test:
	scripts/setup --no-build
	swift test -c release -Xswiftc -enable-testing
	.venv/bin/python -m unittest discover -s python/tests
	.build/release/lessons audit --rng mt19937

bench:
	scripts/setup
	.build/release/lessons bench normal
