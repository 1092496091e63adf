#!/usr/bin/env bash
# Where the unsafe code and the direct C calls are, per module (issue 18, item 1).
# Counts lines of Sources/<module>/**/*.swift that match each pattern:
#   unchecked  `@unchecked Sendable`
#   unsafe     an Unsafe*Pointer / Unmanaged / unsafeBitCast / withUnsafe* use
#   pthread    a pthread_create call   strerror  strerror(…) / strerror_r(…) (not snd_/mosquitto_strerror)
#   clock      clock_gettime(…)        fsync     fsync(…) / fdatasync(…)
#   handoff    a FixedBuffer handed to a kernel or reader for one call (withElements /
#              withMutableElements) or kept by one (kernelStorage): memory the module owns
#              safely but passes on as a buffer pointer without naming the type
# Comment lines are not counted.
# Usage: Tools/audit/census.sh [REV]   (REV: a git revision; default the working tree)
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:-}
files() {
  if [[ -n $rev ]]; then git ls-tree -r --name-only "$rev" -- "Sources/$1" | grep '\.swift$' || true
  else find "Sources/$1" -name '*.swift' | sort; fi
}
text() {
  if [[ -n $rev ]]; then git show "$rev:$1"; else cat "$1"; fi
}
count() { # module pattern
  local n=0 f
  while read -r f; do
    [[ -z $f ]] && continue
    n=$(( n + $(text "$f" | grep -vE "^[[:space:]]*//" | grep -cE "$2" || true) ))
  done < <(files "$1")
  echo "$n"
}
modules() {
  if [[ -n $rev ]]; then git ls-tree -d --name-only "$rev" Sources/ | sed 's|Sources/||'
  else ls Sources; fi
}
printf '%-20s %9s %7s %8s %9s %6s %6s %8s\n' module unchecked unsafe pthread strerror clock fsync handoff
tot=(0 0 0 0 0 0 0)
for m in $(modules); do
  [[ $m == C* && $m != Central* ]] && [[ -z $(files "$m") ]] && continue
  c=( "$(count "$m" '@unchecked Sendable')" "$(count "$m" 'Unsafe[A-Za-z]*Pointer|Unmanaged|unsafeBitCast|withUnsafe')"
      "$(count "$m" '= pthread_create\(')" "$(count "$m" '\bstrerror(_r)?\(')" "$(count "$m" 'clock_gettime\(')" "$(count "$m" '\b(fsync|fdatasync)\(')"
      "$(count "$m" '\.(withElements|withMutableElements)\b|\.kernelStorage\b')" )
  printf '%-20s %9s %7s %8s %9s %6s %6s %8s\n' "$m" "${c[@]}"
  for i in 0 1 2 3 4 5 6; do tot[$i]=$(( tot[i] + c[i] )); done
done
printf '%-20s %9s %7s %8s %9s %6s %6s %8s\n' total "${tot[@]}"
