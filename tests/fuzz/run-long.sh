#!/bin/bash
# tests/fuzz/run-long.sh - the long fuzz run: build the libFuzzer targets
# with clang (-Dfuzzing=true), fuzz each for FUZZ_SECONDS (default 600,
# i.e. 10 minutes) starting from its committed corpus, then minimise the
# corpus with -merge=1 back into tests/fuzz/corpus/<target>/ (review and
# commit the result; crashes are left as build-fuzz-long/work/<target>-crash-*).
#
#   tests/fuzz/run-long.sh [TARGET...]      (default: every target)
#
# Needs clang and libFuzzer (Debian 12: clang libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(record_decode load date_time utf8 instrument journal)
dir=build-fuzz-long
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ -f "$dir/meson-private/coredata.dat" ]; then
	CC=clang meson setup --reconfigure "$dir" -Dfuzzing=true -Db_lundef=false -Dexamples=false
else
	CC=clang meson setup "$dir" -Dfuzzing=true -Db_lundef=false -Dexamples=false
fi
meson compile -C "$dir" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}")

status=0
for t in "${targets[@]}"; do
	work=$dir/work/$t
	corpus=tests/fuzz/corpus/$t
	rm -rf "$work" "$work.min"; mkdir -p "$work" "$work.min"
	echo "==== fuzz_$t: ${FUZZ_SECONDS}s"
	if ! "$dir/tests/fuzz/fuzz_$t" -max_total_time="$FUZZ_SECONDS" \
		-print_final_stats=1 -dict="tests/fuzz/$t.dict" \
		-artifact_prefix="$dir/work/$t-" "$work" "$corpus"; then
		echo "fuzz_$t FAILED: see $dir/work/$t-*"
		status=1
		continue
	fi
	echo "==== fuzz_$t: minimising into $corpus"
	"$dir/tests/fuzz/fuzz_$t" -merge=1 "$work.min" "$corpus" "$work"
	# Keep the regress-* reproducers of fixed bugs whatever merge decides.
	find "$corpus" -maxdepth 1 -name 'regress-*' -exec cp {} "$work.min/" \;
	rm -rf "$corpus"; mv "$work.min" "$corpus"
	echo "fuzz_$t: $(ls "$corpus" | wc -l) inputs in $corpus"
done
exit $status
