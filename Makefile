# Convenience targets; each one installs what is missing first.
.PHONY: demo test build format clean
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
build:
	bash scripts/setup-deps.sh && bash scripts/build.sh
format:
	find src include tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i
clean:
	rm -rf build build-*
