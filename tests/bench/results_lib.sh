# SPDX-License-Identifier: BSD-3-Clause
# Shared by the benchmarks: each one owns a section of tests/bench/RESULTS.md,
# between "<!-- begin NAME -->" and "<!-- end NAME -->", and replaces it with
# its latest output when it finishes. Plots go to tests/bench/results/.
#
#   . tests/bench/results_lib.sh
#   results_put NAME FILE     # FILE's text becomes section NAME
#   results_machine           # prints a line describing this machine

RESULTS_MD=${RESULTS_MD:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/RESULTS.md}
RESULTS_DIR=$(dirname "$RESULTS_MD")/results

results_put() {
	local name=$1 file=$2 tmp
	mkdir -p "$RESULTS_DIR"
	[ -f "$RESULTS_MD" ] || printf '# vbr benchmark results\n' >"$RESULTS_MD"
	tmp=$(mktemp "$RESULTS_MD.XXXXXX")
	python3 - "$RESULTS_MD" "$name" "$file" >"$tmp" <<'PY' || { rm -f "$tmp"; return 1; }
import sys
md, name, part = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(md).read()
body = open(part).read().rstrip("\n")
begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
block = f"{begin}\n{body}\n{end}"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    text = head + block + tail
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
sys.stdout.write(text)
PY
	mv "$tmp" "$RESULTS_MD"
}

results_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	printf '%s, %s CPUs, %s GiB RAM, kernel %s, DPDK %s, %s' "$cpu" "$(nproc)" \
		"$(awk '/MemTotal/ {printf "%d", $2 / 1048576}' /proc/meminfo)" "$(uname -r)" \
		"$(pkg-config --modversion libdpdk 2>/dev/null || echo '?')" \
		"$(. /etc/os-release && echo "$PRETTY_NAME")"
}
