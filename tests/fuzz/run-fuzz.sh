#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# run-fuzz.sh FUZZER SECONDS [LIBFUZZER-ARGS...]
#
# Bounded libFuzzer run of FUZZER (e.g. build-fuzz/tests/fuzz/fuzz-options)
# on one core, leak detection on.  Seeds, dictionary and input size limit
# come from the fuzzer's name: fuzz-options takes tests/fuzz/corpus and
# options.dict, fuzz-setuid-decoders corpus-setuid-decoders and
# setuid-decoders.dict.  The committed
# seeds are only read; new inputs go to a working corpus,
# $FUZZ_CORPUS_DIR (kept, so long runs can resume) or a temporary
# directory removed afterwards.  Crash, leak, timeout and OOM reproducers
# are written to $FUZZ_ARTIFACT_DIR (default: the current directory).
# Exit status: 0 when nothing was found, non-zero (libFuzzer's) otherwise.
#
# Reproduce a finding:  FUZZER crash-<sha1>
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 FUZZER SECONDS [LIBFUZZER-ARGS...]" >&2
  exit 2
fi
fuzzer=$1
seconds=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
case $(basename "$fuzzer") in
  fuzz-options)
    seeds=$here/corpus
    dict=$here/options.dict
    # The 9000-argument limit needs inputs of ~20-40 KiB.
    max_len=65536
    ;;
  fuzz-setuid-decoders)
    seeds=$here/corpus-setuid-decoders
    dict=$here/setuid-decoders.dict
    # One fd-count byte and a request of at most 4112 bytes (peer-codec.h's
    # PEER_REQUEST_MAX); some room above it reaches the size check.
    max_len=4608
    ;;
  *)
    echo "$0: no seeds known for $fuzzer" >&2
    exit 2
    ;;
esac

if [ -n "${FUZZ_CORPUS_DIR:-}" ]; then
  work=$FUZZ_CORPUS_DIR
  mkdir -p "$work"
  tmp=
else
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/bwrap-fuzz.XXXXXX")
  work=$tmp
  trap 'rm -rf "$tmp"' EXIT
fi
artifacts=${FUZZ_ARTIFACT_DIR:-$PWD}
mkdir -p "$artifacts"

# halt_on_error: UBSan findings stop the run like ASan ones.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# rss_limit_mb: one parse never needs more; a blow-up is a finding.
"$fuzzer" \
  -max_total_time="$seconds" \
  -detect_leaks=1 \
  -max_len="$max_len" \
  -timeout=10 \
  -rss_limit_mb=1024 \
  -dict="$dict" \
  -artifact_prefix="$artifacts/" \
  -print_final_stats=1 \
  "$@" \
  "$work" "$seeds"
