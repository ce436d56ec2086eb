package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"jianfu"
)

// dashboardData is the home page's picture of the caller's scope: channels,
// spot checks, rectifications, cleanup, scores with their trend, relapses.
// Nil when the capability is not wired.
func (s *Server) dashboardData(r *http.Request) (map[string]any, error) {
	if s.svc.Evaluation == nil {
		return nil, nil
	}
	d, err := s.svc.Evaluation.Dashboard(r.Context())
	if err != nil {
		return nil, err
	}
	p := s.newPage(r, "home")
	var kinds []bar
	for _, k := range jianfu.ChannelKinds {
		kinds = append(kinds, bar{Label: p.Kind(k), Value: float64(d.Channels[k]), Href: "/evaluation?kind=" + string(k)})
	}
	var grades []bar
	for _, g := range []string{"优", "良", "中", "差"} {
		grades = append(grades, bar{Label: p.T("eval.grade." + g), Value: float64(d.GradeCounts[g]), Class: "g" + map[string]string{"优": "1", "良": "2", "中": "3", "差": "4"}[g]})
	}
	return map[string]any{
		"D":      d,
		"Trend":  trendChart(d.Trend, p.T("eval.trend.label")),
		"Kinds":  barChart(kinds, ""),
		"Grades": barChart(grades, ""),
	}, nil
}

// bar is one bar of a bar chart.
type bar struct {
	Label string
	Value float64
	Href  string
	Class string
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// barChart draws horizontal bars as inline SVG (no script, no style
// attribute: colours come from classes in app.css).
func barChart(bars []bar, unit string) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	maxV, whole := 0.0, true
	for _, b := range bars {
		maxV = max(maxV, b.Value)
		whole = whole && b.Value == math.Trunc(b.Value)
	}
	// counts print as they are; indexes all with one decimal (22.0 beside 21.9)
	val := func(v float64) string {
		if whole {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	const w, rowH, labelW = 360.0, 26.0, 96.0
	h := rowH * float64(len(bars))
	// Screen readers hear the bars as words; with links to follow the chart
	// is a group (an image may not hold links).
	role, said := "img", make([]string, 0, len(bars))
	for _, b := range bars {
		said = append(said, b.Label+" "+val(b.Value)+unit)
		if b.Href != "" {
			role = "group"
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart bars" viewBox="0 0 %.0f %.0f" role="%s" aria-label="%s" preserveAspectRatio="xMinYMin meet">`, w, h, role, esc(strings.Join(said, "、")))
	for i, b := range bars {
		y := float64(i) * rowH
		bw := 0.0
		if maxV > 0 {
			bw = (w - labelW - 56) * b.Value / maxV
		}
		cls := "bar"
		if b.Class != "" {
			cls += " " + b.Class
		}
		label := esc(b.Label)
		if b.Href != "" {
			label = `<a href="` + esc(b.Href) + `">` + label + `</a>`
		}
		fmt.Fprintf(&sb, `<text x="0" y="%.0f" class="lbl">%s</text><rect x="%.0f" y="%.0f" width="%.1f" height="16" rx="2" class="%s"><title>%s: %s%s</title></rect><text x="%.1f" y="%.0f" class="val">%s%s</text>`,
			y+17, label, labelW, y+5, max(bw, 1), cls, esc(b.Label), val(b.Value), unit, labelW+bw+6, y+17, val(b.Value), unit)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// trendChart draws scores per period (0–100) as a line with points.
func trendChart(points []jianfu.TrendPoint, label string) template.HTML {
	if len(points) == 0 {
		return ""
	}
	const w, h, left, right, top, bottom = 560.0, 170.0, 34.0, 12.0, 10.0, 26.0
	pw, ph := w-left-right, h-top-bottom
	x := func(i int) float64 {
		if len(points) == 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(len(points)-1)
	}
	y := func(v float64) float64 { return top + ph*(1-v/100) }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart trend" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, esc(label))
	for _, g := range []float64{0, 60, 100} {
		cls := "grid"
		if g == 60 {
			cls = "grid pass"
		}
		fmt.Fprintf(&sb, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="%s"/><text x="%.0f" y="%.1f" class="axis" text-anchor="end">%g</text>`,
			left, w-right, y(g), y(g), cls, left-6, y(g)+4, g)
	}
	var pts []string
	for i, p := range points {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Score)))
	}
	fmt.Fprintf(&sb, `<polyline points="%s" class="line"/>`, strings.Join(pts, " "))
	for i, p := range points {
		// A hollow point rests on under half of the channels: read it with care.
		cls, cover := "dot", ""
		if p.Channels > 0 {
			cover = fmt.Sprintf(" · %d/%d (%d%%)", p.N, p.Channels, p.Coverage)
			if p.Coverage < 50 {
				cls = "dot low"
			}
		}
		fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="3.5" class="%s"><title>%s: %.1f%s</title></circle>`, x(i), y(p.Score), cls, esc(p.Period), p.Score, cover)
		if len(points) <= 8 || i%2 == 0 || i == len(points)-1 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.0f" class="axis" text-anchor="middle">%s</text>`, x(i), h-6, esc(p.Period))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// ratingBars is the histogram of a channel's ratings.
func ratingBars(s *jianfu.RatingSummary) template.HTML {
	if s == nil || s.Count == 0 {
		return ""
	}
	var bars []bar
	for i := 4; i >= 0; i-- {
		bars = append(bars, bar{Label: fmt.Sprintf("%d ★", i+1), Value: float64(s.Histogram[i]), Class: fmt.Sprintf("r%d", i+1)})
	}
	return barChart(bars, "")
}
