#!/usr/bin/env bash
# compare.sh: the image stage's CPU per photo on one thread beside bild's and
# libvips', on the same photo, in alternating rounds, and the ratio the goal is set
# in (libvips ÷ Stox, whole stage: at least 1.5). Run from the repository's root:
#
#	bash bench/vipsref/compare.sh [ROUNDS]
#
# Without libvips (apt-get install -y libvips-dev) the libvips rounds are skipped,
# said so, and the Stox and bild figures are still printed.
set -euo pipefail
rounds=${1:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The benchmark's own photo, written by the test that generates it.
STOX_BENCH_SAVE=$dir go test ./imaging -run '^TestSaveOutputs$' -count=1 >/dev/null
go test -c -o "$dir/imaging.test" ./imaging

vips=""
if pkg-config --exists vips 2>/dev/null; then
	(cd bench/vipsref && go build -o "$dir/vipsref" .)
	vips="$dir/vipsref"
else
	echo "--- libvips not installed (apt-get install -y libvips-dev): no libvips baseline this run"
fi

for r in $(seq "$rounds"); do
	if [ -n "$vips" ]; then
		"$vips" -img "$dir/photo.jpg" -n 3 | tail -1 | sed "s/^/round $r /"
	fi
	(cd imaging && STOX_BENCH_PHOTO="$dir/photo.jpg" "$dir/imaging.test" -test.run '^$' \
		-test.bench '^BenchmarkProcess$/^(amazon|all)' -test.cpu 1 -test.benchtime 3x) | grep '^BenchmarkProcess' | sed "s/^/round $r /"
	# bild takes seconds per photo: one a round is enough.
	(cd imaging && STOX_BENCH_PHOTO="$dir/photo.jpg" "$dir/imaging.test" -test.run '^$' \
		-test.bench '^BenchmarkProcess$/^bild$' -test.cpu 1 -test.benchtime 1x) | grep '^BenchmarkProcess' | sed "s/^/round $r /"
done | tee "$dir/rounds.txt"

awk '
	function median(a, n,    i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ r = $2 }
	/median_cpu_ms=/ { match($0, /median_cpu_ms=[0-9.]+/); vips[r] = substr($0, RSTART + 14, RLENGTH - 14) }
	/BenchmarkProcess\// { split($3, name, "/"); for (i = 4; i < NF; i++) if ($(i + 1) == "cpu-ms/img") ms[name[2], r] = $i; last = r }
	END {
		for (r = 1; r <= last; r++) {
			all[r] = ms["all", r]; same[r] = ms["amazon+thumbnail", r]; bild[r] = ms["bild", r] / ms["all", r]
			if (r in vips) { nv++; va[nv] = vips[r] / ms["all", r]; vs[nv] = vips[r] / ms["amazon+thumbnail", r]; vm[nv] = vips[r] }
		}
		printf "--- image stage, CPU per 3000² photo, 1 thread, medians of %d rounds: stox whole stage (4 variants + analysis) %.0f ms, the same work as libvips (amazon+thumbnail) %.0f ms; bild ÷ stox whole stage = %.1f\n", \
			last, median(all, last), median(same, last), median(bild, last)
		if (nv) printf "--- libvips %.0f ms: libvips ÷ stox = %.2f for the whole stage (goal ≥ 1.5), %.2f for the same work (medians of the rounds\x27 ratios)\n", \
			median(vm, nv), median(va, nv), median(vs, nv)
		else print "--- no libvips figure this run"
	}' "$dir/rounds.txt"
