# The two commands of the README.
#   make lesson   install what is missing, build, and run the Gaussian lesson
#   make test     install what is missing, then run every test (optimized: the Monte-Carlo
#                 checks run ~5× faster, which pays for the longer build)
.PHONY: lesson test bench

lesson:
	scripts/setup
	.build/release/lessons run gaussian

test:
	scripts/setup --no-build
	swift test -c release -Xswiftc -enable-testing

bench:
	scripts/setup
	.build/release/lessons bench normal
