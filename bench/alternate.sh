# Sourced by bench/ab.sh and bench/old-rows.sh: one op timed in two builds in alternating
# processes, `pairs` times (which build goes first alternates too), then each build's median and
# the median, range and list of the per-pair ratios new ÷ base.
#
#   alternate <label> <pairs> <base root> <new root> <command…>
#
# The command prints µs per op; each `{}` in it stands for the build's root.
alternate() {
  local label=$1 pairs=$2 base=$3 new=$4
  shift 4
  local a=() b=() i x y
  for i in $(seq "$pairs"); do
    if [ $((i % 2)) -eq 1 ]; then
      x=$(alternate_run "$base" "$@"); y=$(alternate_run "$new" "$@")
    else
      y=$(alternate_run "$new" "$@"); x=$(alternate_run "$base" "$@")
    fi
    a+=("$x") b+=("$y")
  done
  python3 - "$label" "${a[*]}" "${b[*]}" <<'PY'
import statistics as st, sys
label, a, b = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r = [y / x for x, y in zip(a, b)]
f = lambda us: f"{us * 1000:.0f} ns" if us < 1 else f"{us:.2f} µs"
print(f"{label}: base {f(st.median(a))}, new {f(st.median(b))}, new ÷ base {st.median(r):.3f} "
      f"(range {min(r):.3f}–{max(r):.3f}; pairs: {' '.join(f'{x:.3f}' for x in r)})")
PY
}

alternate_run() {
  local root=$1 args=() x
  shift
  for x in "$@"; do args+=("${x//\{\}/$root}"); done
  "${args[@]}"
}
