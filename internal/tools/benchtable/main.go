// Command benchtable reads `go test -bench` output on stdin and prints a
// Markdown table: one row per benchmark with every metric it reported, and
// for each benchmark that has a baseline (a benchmark named …Baseline… in
// the same package), the speed-up against it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type row struct {
	pkg, name string
	metrics   map[string]float64
	order     []string
}

func main() {
	var rows []*row
	pkg, cpu := "", ""
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "cpu: "):
			cpu = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			r := &row{pkg: pkg, name: f[0], metrics: map[string]float64{}}
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				r.metrics[f[i+1]] = v
				r.order = append(r.order, f[i+1])
			}
			rows = append(rows, r)
		}
	}
	fmt.Printf("\n## Benchmarks — %s, %s, %d CPU (%s/%s), %s\n\n", time.Now().Format("2006-01-02"), cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Println("| package | benchmark | result | vs baseline |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, r := range rows {
		var parts []string
		for _, m := range r.order {
			parts = append(parts, format(r.metrics[m], m))
		}
		fmt.Printf("| %s | %s | %s | %s |\n", short(r.pkg), strings.TrimPrefix(r.name, "Benchmark"), strings.Join(parts, ", "), versus(r, rows))
	}
}

// versus compares a benchmark with a baseline of its package. A baseline
// measuring the same throughput (a shared …/s metric) is preferred, then
// the one sharing the longest name prefix (so an engine's sub-benchmarks
// pair with that engine's baseline); the comparison is by that throughput,
// else by p99 latency, else by ns/op.
func versus(r *row, rows []*row) string {
	if strings.Contains(r.name, "Baseline") {
		return "baseline"
	}
	var bases []*row
	for _, b := range rows {
		if b.pkg == r.pkg && strings.Contains(b.name, "Baseline") {
			bases = append(bases, b)
		}
	}
	if len(bases) == 0 {
		return ""
	}
	sort.SliceStable(bases, func(i, j int) bool {
		ti, tj := throughput(r, bases[i]) != "", throughput(r, bases[j]) != ""
		if ti != tj {
			return ti
		}
		pi, pj := commonPrefix(bases[i].name, r.name), commonPrefix(bases[j].name, r.name)
		if pi != pj {
			return pi > pj
		}
		return bases[i].name < bases[j].name
	})
	b := bases[0]
	name := strings.TrimPrefix(b.name, "Benchmark")
	if m := throughput(r, b); m != "" {
		return fmt.Sprintf("%s× %s (%s)", ratio(r.metrics[m]/b.metrics[m]), name, m)
	}
	if v, bv := r.metrics["p99_ms"], b.metrics["p99_ms"]; v > 0 && bv > 0 {
		return fmt.Sprintf("p99 %s× %s", ratio(v/bv), name)
	}
	if b.metrics["ns/op"] > 0 && r.metrics["ns/op"] > 0 {
		return fmt.Sprintf("%s× the speed of %s", ratio(b.metrics["ns/op"]/r.metrics["ns/op"]), name)
	}
	return ""
}

// throughput is a …/s metric both benchmarks report, or "".
func throughput(r, b *row) string {
	for _, m := range r.order {
		if strings.HasSuffix(m, "/s") && m != "MB/s" && b.metrics[m] > 0 {
			return m
		}
	}
	return ""
}

// ratio writes a ratio with the digits that matter.
func ratio(x float64) string {
	switch {
	case x >= 10:
		return fmt.Sprintf("%.0f", x)
	case x >= 0.1:
		return fmt.Sprintf("%.2g", x)
	}
	return fmt.Sprintf("%.1g", x)
}

func format(v float64, unit string) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM %s", v/1e6, unit)
	case v >= 1e4:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v == float64(int64(v)):
		return fmt.Sprintf("%d %s", int64(v), unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

func short(pkg string) string { return strings.TrimPrefix(pkg, "jianfu/") }

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
