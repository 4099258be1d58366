#!/bin/bash
# check_abi.sh - compare the ABI of the built libcasemgr.so with the committed
# baseline tests/abi/libcasemgr.abi (DESIGN.md section 3, item 7). Any change
# that is not an addition of functions fails (removed or changed functions,
# changed public types, symbol versions, SONAME); a missing baseline fails too.
# A member appended to a versioned public struct also fails: libabigail 2.2's
# has_data_member_inserted_at=end suppression would also hide a member's type
# change, so such an append is acknowledged by regenerating the baseline.
#
# usage: check_abi.sh SRCROOT LIBCASEMGR.so ABIDW ABIDIFF OUTDIR
#        check_abi.sh --update SRCROOT LIBCASEMGR.so ABIDW   (rewrite baseline)
# The library must be built with -g (buildtype debugoptimized or debug).
#
# Both sides are made by abidw with the same flags and compared as XML.
# --headers-dir + --drop-private-types keep only what the public headers
# declare: opaque structs stay opaque, so their internal layout may change.
# It is NOT also given to abidiff (--headers-dir1/2): in libabigail 2.2 that
# hides changes to types defined outside include/casemgr -- int64_t becoming
# int32_t in a parameter passed unnoticed.
set -euo pipefail

update=0
if [ "${1-}" = --update ]; then update=1; shift; fi
src=$1 lib=$2 abidw=$3
baseline=$src/tests/abi/libcasemgr.abi
# No build paths in the output: the baseline is the same from any checkout.
dw_flags=(--headers-dir "$src/include/casemgr" --drop-private-types
          --no-corpus-path --no-comp-dir-path --short-locs)

sections=$(readelf -S "$lib")
if [[ $sections != *.debug_info* ]]; then
	echo "check_abi: FAIL: $lib has no debug info; build it with -g (buildtype debugoptimized)."
	exit 1
fi

if [ $update = 1 ]; then
	"$abidw" "${dw_flags[@]}" --out-file "$baseline" "$lib"
	echo "wrote $baseline from $lib"
	exit 0
fi

abidiff=$4 outdir=$5
if [ ! -f "$baseline" ]; then
	echo "check_abi: FAIL: no ABI baseline at $baseline."
	echo "Create it from a -g build and commit it:"
	echo "  meson setup build -Dbuildtype=debugoptimized && meson compile -C build"
	echo "  tests/abi/update-baseline build && git add tests/abi/libcasemgr.abi"
	exit 1
fi

current=$outdir/libcasemgr.abi.current   # kept for inspection
"$abidw" "${dw_flags[@]}" --out-file "$current" "$lib"

rc=0
"$abidiff" --no-added-syms "$baseline" "$current" || rc=$?
if [ $rc != 0 ]; then
	# abidiff's status is a bit mask: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
	echo "check_abi: FAIL (abidiff exit $rc): the ABI differs from tests/abi/libcasemgr.abi."
	echo "A 1.x release may only add functions (in a new version node). If the change"
	echo "is intended (an append to a versioned struct, or nothing released yet):"
	echo "tests/abi/update-baseline BUILDDIR, and commit the new baseline with the change."
	exit 1
fi
echo "check_abi: OK, $lib matches tests/abi/libcasemgr.abi (additions allowed)"
