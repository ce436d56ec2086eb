package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"jianfu"
)

// Charts are inline SVG drawn on the server: nothing is downloaded, nothing
// runs in the browser, and the CSP allows them (presentation attributes,
// classes from app.css, no style attributes).

// sparkline draws a small trend line of burden indexes (0–100).
func sparkline(vals []float64) template.HTML {
	if len(vals) == 0 {
		return ""
	}
	const w, h = 96.0, 24.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`, w, h, w, h, trendLabel(vals))
	step := w / float64(max(len(vals)-1, 1))
	var pts []string
	for i, v := range vals {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", float64(i)*step, h-1-math.Min(v, 100)/100*(h-2)))
	}
	fmt.Fprintf(&b, `<polyline class="spark-line" points="%s" fill="none"/>`, strings.Join(pts, " "))
	last := vals[len(vals)-1]
	fmt.Fprintf(&b, `<circle class="spark-dot lvl-%s" cx="%.1f" cy="%.1f" r="2.2"/></svg>`, jianfu.BurdenLevel(last), float64(len(vals)-1)*step, h-1-math.Min(last, 100)/100*(h-2))
	return template.HTML(b.String())
}

func trendLabel(vals []float64) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%.0f", v)
	}
	return template.HTMLEscapeString(strings.Join(parts, " → "))
}

// chartPoint is one bar or point of a chart.
type chartPoint struct {
	Label string  // x label (shown for some points)
	Value float64 // bar height
	Line  float64 // line value (index), -1 for none
}

// barLineChart draws bars (demands) with a line (burden index, 0–100, on
// its own scale) over them, with a few x labels and the axes' names.
func barLineChart(points []chartPoint, barName, lineName string) template.HTML {
	if len(points) == 0 {
		return ""
	}
	const W, H, left, right, top, bottom = 640.0, 200.0, 34.0, 34.0, 12.0, 26.0
	pw, ph := W-left-right, H-top-bottom
	maxBar := 0.0
	for _, p := range points {
		maxBar = math.Max(maxBar, p.Value)
	}
	if maxBar == 0 {
		maxBar = 1
	}
	maxBar = niceCeil(maxBar)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" preserveAspectRatio="xMidYMid meet" role="img" aria-label="%s / %s">`, W, H,
		template.HTMLEscapeString(barName), template.HTMLEscapeString(lineName))
	// grid and axes
	for i := 0; i <= 4; i++ {
		y := top + ph*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, y, W-right, y)
		fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="end">%s</text>`, left-4, y+4, trimFloat(maxBar*float64(4-i)/4))
		fmt.Fprintf(&b, `<text class="axis line-axis" x="%.0f" y="%.1f">%d</text>`, W-right+4, y+4, 100-25*i)
	}
	slot := pw / float64(len(points))
	bw := math.Max(1, slot*0.7)
	every := int(math.Ceil(float64(len(points)) / 8))
	var line []string
	for i, p := range points {
		x := left + slot*float64(i)
		bh := p.Value / maxBar * ph
		if p.Value > 0 {
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`, x+(slot-bw)/2, top+ph-bh, bw, bh,
				template.HTMLEscapeString(p.Label), trimFloat(p.Value))
		}
		if p.Line >= 0 {
			line = append(line, fmt.Sprintf("%.1f,%.1f", x+slot/2, top+ph-math.Min(p.Line, 100)/100*ph))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x+slot/2, H-8, template.HTMLEscapeString(p.Label))
		}
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline class="idx-line" points="%s" fill="none"/>`, strings.Join(line, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// bandBar draws how a region's groups spread over the bands of the index,
// lightest to heaviest, as one stacked bar (SVG: no style attributes).
func bandBar(bands [4]int) template.HTML {
	total := 0
	for _, n := range bands {
		total += n
	}
	if total == 0 {
		return ""
	}
	const w, h = 120.0, 14.0
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="bands" viewBox="0 0 %.0f %.0f" aria-hidden="true">`, w, h)
	x := 0.0
	for i, n := range bands {
		if n == 0 {
			continue
		}
		bw := w * float64(n) / float64(total)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="0" width="%.1f" height="%.0f" class="band lvl-%s"><title>%s %d</title></rect>`, x, bw, h, jianfu.BurdenLevels[i], jianfu.BurdenLevelName(jianfu.BurdenLevels[i]), n)
		x += bw
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// The template functions of burden pages.
func init() {
	funcs["bands"] = bandBar
	funcs["code"] = jianfu.CodeOfPath
	funcs["sparkline"] = sparkline
	funcs["day"] = dayString
	funcs["pct"] = func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }
	funcs["f1"] = func(v float64) string { return fmt.Sprintf("%.1f", v) }
	funcs["f2"] = func(v float64) string { return fmt.Sprintf("%.2f", v) }
	funcs["level"] = jianfu.BurdenLevel
	funcs["ints"] = func(v ...int) []int { return v }
	funcs["formula"] = func() string { return jianfu.BurdenFormula }
	funcs["platform"] = func(p string) string {
		if n, ok := jianfu.PlatformNames[p]; ok {
			return n
		}
		return p
	}
	funcs["colkey"] = func(sortKey string) string { return strings.ReplaceAll(sortKey, "_", "") }

	funcs["strs"] = func(v ...string) []string { return v }
	funcs["cats"] = categoryCodes
	funcs["mul100"] = func(v float64) float64 { return v * 100 }
}

// Names joins up to n unit names and says how many there are in all.
func (p *page) Names(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, "、")
	}
	return strings.Join(list[:n], "、") + p.T("burden.names.more", len(list))
}
