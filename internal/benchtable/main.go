// Command benchtable reads `go test -bench` output (and the libvips baseline's, which
// prints the same format) on standard input and prints issue 14's performance table:
// each figure beside its reference measured in the same run, the ratio that counts, and
// the goal. With -count > 1 each metric is the median of its runs. `make bench` pipes
// every benchmark through it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	res, err := parse(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	fmt.Println()
	fmt.Print(table(res))
}

// results holds every value of every metric of every benchmark: name → unit → values.
type results map[string]map[string][]float64

// procs is the -GOMAXPROCS suffix go test adds to a benchmark's name.
var procs = regexp.MustCompile(`-\d+$`)

// vipsLine is the last line of bench/vipsref, the libvips baseline (a module of its
// own: cgo and libvips stay out of the main build).
var vipsLine = regexp.MustCompile(`^libvips \S+ reference: median_cpu_ms=([0-9.]+)`)

// parse reads benchmark lines from r, copying everything it reads to echo.
func parse(r io.Reader, echo io.Writer) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if echo != nil {
			fmt.Fprintln(echo, line)
		}
		if m := vipsLine.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			res.add("BenchmarkVips/all", "cpu-ms/img", v)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procs.ReplaceAllString(f[0], "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q of %s is not a number", name, f[i], f[i+1])
			}
			res.add(name, f[i+1], v)
		}
	}
	return res, sc.Err()
}

func (r results) add(name, unit string, v float64) {
	if r[name] == nil {
		r[name] = map[string][]float64{}
	}
	r[name][unit] = append(r[name][unit], v)
}

// get is the median of a benchmark's metric.
func (r results) get(name, unit string) (float64, bool) {
	vs := slices.Clone(r[name][unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// row is one line of the table.
type row struct {
	figure, measured, goal string
	// met is "yes", "no", or "-" when the figure was not measured.
	met string
}

func table(r results) string {
	rows := []row{hop(r), stock(r), photos(r), amazon(r), binary(r)}
	var b strings.Builder
	b.WriteString("| figure | measured (median), same run | goal | met |\n|---|---|---|---|\n")
	for _, x := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", x.figure, x.measured, x.goal, x.met)
	}
	return b.String()
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func missing(figure, goal, what string) row {
	return row{figure: figure, measured: "not measured: " + what, goal: goal, met: "-"}
}

func hop(r results) row {
	const figure, goal = "RabbitMQ hop ÷ plain amqp091 (BenchmarkHop)", "≥ 0.90"
	stox, ok1 := r.get("BenchmarkHop/stox", "msgs/s")
	raw, ok2 := r.get("BenchmarkHop/amqp091", "msgs/s")
	if !ok1 || !ok2 || raw == 0 {
		return missing(figure, goal, "no BenchmarkHop figures (RabbitMQ unreachable?)")
	}
	ratio := stox / raw
	return row{figure, fmt.Sprintf("%.0f / %.0f msgs/s: **%.2f**", stox, raw, ratio), goal, yes(ratio >= 0.9)}
}

func stock(r results) row {
	const name = "BenchmarkOrderToStock"
	const figure, goal = "order → every marketplace acknowledged (" + name + ")", "p50 ≤ 300 ms, p99 ≤ 1000 ms"
	p50, ok1 := r.get(name, "p50-ms")
	p99, ok2 := r.get(name, "p99-ms")
	if !ok1 || !ok2 {
		return missing(figure, goal, "no "+name+" figures (RabbitMQ or PostgreSQL unreachable?)")
	}
	m := fmt.Sprintf("p50 %.0f ms", p50)
	if p95, ok := r.get(name, "p95-ms"); ok {
		m += fmt.Sprintf(", p95 %.0f ms", p95)
	}
	m += fmt.Sprintf(", **p99 %.0f ms**", p99)
	if mx, ok := r.get(name, "max-ms"); ok {
		m += fmt.Sprintf(", max %.0f ms", mx)
	}
	return row{figure, m, goal, yes(p50 <= 300 && p99 <= 1000)}
}

func photos(r results) row {
	const figure, goal = "image stage, CPU per 3000² photo, 1 thread: libvips ÷ stox (BenchmarkProcess/all, vipsref)", "≥ 1.5×"
	stox, ok := r.get("BenchmarkProcess/all", "cpu-ms/img")
	if !ok {
		return missing(figure, goal, "no BenchmarkProcess/all figure")
	}
	m := fmt.Sprintf("stox %.0f ms", stox)
	if bild, ok := r.get("BenchmarkProcess/bild", "cpu-ms/img"); ok {
		m += fmt.Sprintf(", bild %.0f ms", bild)
	}
	vips, ok := r.get("BenchmarkVips/all", "cpu-ms/img")
	if !ok || stox == 0 {
		return row{figure, m + "; libvips not measured (install libvips-dev)", goal, "-"}
	}
	ratio := vips / stox
	return row{figure, m + fmt.Sprintf(", libvips %.0f ms: **%.2f×**", vips, ratio), goal, yes(ratio >= 1.5)}
}

func amazon(r results) row {
	const name = "BenchmarkListingsPublished/amazon"
	const figure, goal = "Amazon listings published (" + name + ")", "≥ 2000/min"
	v, ok := r.get(name, "listings/min")
	if !ok {
		return missing(figure, goal, "no "+name+" figure")
	}
	m := fmt.Sprintf("**%.0f/min**", v)
	if put, ok := r.get(name+"-put", "listings/min"); ok {
		m += fmt.Sprintf(" (one PUT each: %.0f/min)", put)
	}
	return row{figure, m, goal, yes(v >= 2000)}
}

func binary(r results) row {
	const name = "BenchmarkBinarySize"
	const figure, goal = "stripped stox binary (" + name + ")", "≤ 20 MB"
	v, ok := r.get(name, "MB")
	if !ok {
		return missing(figure, goal, "no "+name+" figure")
	}
	return row{figure, fmt.Sprintf("**%.1f MB**", v), goal, yes(v <= 20)}
}
