#!/usr/bin/env bash
# Instructions and last-level cache misses per device for plan, parse or diff of `wide(n)`, under
# valgrind's cachegrind (which simulates this machine's caches): one run of bench/count.js with k
# ops minus one with none, divided by k·n. Instructions per device that stay level while the
# time per device grows say the extra time is memory, not more work.
#
#   npm run bench:compile && bash bench/cachegrind.sh plan|parse|diff k:n [k:n …]
#   e.g. bash bench/cachegrind.sh plan 10:1000 1:10000 1:100000
#
# Needs valgrind. Node's flags make the runs repeatable: one thread (the collector's work is
# counted in the same thread as the rest), fixed random and hash seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
op=${1:?usage: bash bench/cachegrind.sh plan|parse|diff k:n [k:n …]}
shift
[ $# -gt 0 ] || set -- 10:1000 1:10000 1:100000
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -f .tmp/js/bench/count.js ] || { echo "run npm run bench:compile first" >&2; exit 2; }

# "<instructions> <LL misses>" of one run
count() {
  valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null \
    node --single-threaded --random-seed=1 --hash-seed=1 .tmp/js/bench/count.js "$op" "$1" "$2" 2>&1 |
    awk '/I +refs:/ { gsub(",", "", $4); i = $4 } /LL misses:/ { gsub(",", "", $4); m = $4 } END { print i, m }'
}

for kn in "$@"; do
  k=${kn%%:*} n=${kn##*:}
  read -r i0 m0 < <(count "$n" 0)
  read -r i1 m1 < <(count "$n" "$k")
  python3 -c "
import sys
op, k, n, i0, m0, i1, m1 = sys.argv[1], *map(int, sys.argv[2:])
print(f'{op} {n}: {(i1 - i0) / (k * n):,.0f} instructions and {(m1 - m0) / (k * n):.2f} LL misses per device ({k} run(s))')
" "$op" "$k" "$n" "$i0" "$m0" "$i1" "$m1"
done
