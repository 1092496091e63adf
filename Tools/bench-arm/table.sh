#!/usr/bin/env bash
# make bench-arm: writes $BENCH_ARM_DIR/ShippedTable.swift, the shipped
# signature table (DefaultSignatures.table, parsed from its JSON on the host)
# as Swift for the Embedded bench build, then compiles that file back on the
# host and checks that it builds a table equal to DefaultSignatures.table.
# Host modules are compiled with swiftc directly (-Onone, ~30 s cold) into
# $BENCH_ARM_DIR/host, not with swift build: only the five modules it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${BENCH_ARM_DIR:-.build-bench-arm}
h=$out/host; mkdir -p "$h"
for m in EarshotDSP EarshotJSON EarshotPlatform EarshotDetection EarshotSignatures; do
  mapfile -t src < <(find "Sources/$m" -name '*.swift' | sort)
  swiftc -Onone -wmo -parse-as-library -module-name "$m" -I "$h" -I Sources/CTimex -emit-module -emit-module-path "$h/$m.swiftmodule" \
    "${src[@]}" -c -o "$h/$m.o"
done
objs=("$h"/EarshotDSP.o "$h"/EarshotJSON.o "$h"/EarshotPlatform.o "$h"/EarshotDetection.o "$h"/EarshotSignatures.o)
swiftc -Onone -parse-as-library -I "$h" -I Sources/CTimex Tools/bench-arm/TableSwift.swift "${objs[@]}" -o "$h/table-swift"
"$h/table-swift" > "$h/ShippedTable.swift.new"
{ echo "import EarshotDetection"; echo "import EarshotSignatures"; cat "$h/ShippedTable.swift.new"
  echo '@main enum Check { static func main() { precondition(benchShippedTable() == DefaultSignatures.table, "ShippedTable.swift differs from DefaultSignatures.table"); print("bench-arm: shipped table as Swift: \(benchShippedTable().count) entries, equal to DefaultSignatures.table") } }'
} > "$h/check.swift"
swiftc -Onone -parse-as-library -I "$h" -I Sources/CTimex "$h/check.swift" "${objs[@]}" -o "$h/table-check"
"$h/table-check"
mv "$h/ShippedTable.swift.new" "$out/ShippedTable.swift"
