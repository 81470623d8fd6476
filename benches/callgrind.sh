#!/usr/bin/env bash
# Instruction counts (callgrind) of the client side of each operation, crate vs
# hand-written, and their ratio: free of the noise of a shared machine.
# Usage: bash benches/callgrind.sh [filter]   (needs valgrind; ~2 minutes)
# Counts user-space instructions of the calling thread inside measure_crate /
# measure_hand only: the server thread and the kernel's work are not counted, so the
# ratio is an upper bound of the wall-clock ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo bench --bench ratio --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*ratio-[^"]*"' | head -1 | cut -d'"' -f4)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
filter=${1:-}
echo "| operation | crate instr / call | hand-written instr / call | ratio |"
echo "|---|---:|---:|---:|"
for op in keep_alive/get_status keep_alive/update_status keep_alive/by_ids/1 \
          keep_alive/by_ids/100 keep_alive/by_ids/10000 in_process/get_status \
          in_process/update_status in_process/by_ids/1 in_process/by_ids/100 \
          in_process/by_ids/10000; do
  [[ -n "$filter" && "$op" != *"$filter"* ]] && continue
  case "$op" in
    */10000) n=4 ;;
    */100) n=50 ;;
    *) n=200 ;;
  esac
  declare -A per
  for side in crate hand; do
    f="$out/${side}.out"
    valgrind --tool=callgrind --callgrind-out-file="$f" \
      --toggle-collect="*measure_${side}*" \
      "$bin" --instructions "$op" "$side" "$n" >/dev/null 2>&1
    total=$(grep -E '^(summary|totals):' "$f" | tail -1 | awk '{print $2}')
    per[$side]=$((total / n))
  done
  awk -v op="$op" -v c="${per[crate]}" -v h="${per[hand]}" \
    'BEGIN { printf "| %s | %d | %d | %.3f |\n", op, c, h, c / h }'
done
