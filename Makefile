# The two commands of the README.
#   make lesson   install what is missing, build, and run the Gaussian lesson
#   make test     install what is missing, then run every test
.PHONY: lesson test bench

lesson:
	scripts/setup
	.build/release/lessons run gaussian

test:
	scripts/setup --no-build
	swift test

bench:
	scripts/setup
	.build/release/lessons bench normal
