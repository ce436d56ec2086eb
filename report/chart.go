package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Charts for documents are drawn here in pure Go as PNG images: no font
// beyond the basic Latin one is embedded, so a chart carries numbers only —
// bars numbered 1, 2, 3 … with their values — and the caption beside it
// names what each number stands for.

// chartBar is one bar: its value and its colour.
type chartBar struct {
	Value float64
	Color color.RGBA
}

var (
	chartInk   = color.RGBA{0x33, 0x33, 0x33, 0xff}
	chartGrid  = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	levelColor = map[string]color.RGBA{"low": {0x4c, 0xaf, 0x50, 0xff}, "medium": {0xe0, 0xb0, 0x30, 0xff}, "elevated": {0xef, 0x7d, 0x2e, 0xff}, "high": {0xcf, 0x22, 0x2e, 0xff}}
	barBlue    = color.RGBA{0x2f, 0x6f, 0xb3, 0xff}
)

// barChartPNG draws vertical bars scaled to top (or to the largest value
// when top is 0), each numbered below and labelled with its value above.
func barChartPNG(bars []chartBar, top float64, width, height int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	if top <= 0 {
		for _, b := range bars {
			top = max(top, b.Value)
		}
	}
	if top <= 0 {
		top = 1
	}
	top = niceTop(top)
	const left, right, above, below = 40, 10, 22, 22
	plotW, plotH := width-left-right, height-above-below
	base := above + plotH
	for i := 0; i <= 4; i++ { // grid lines at quarters, with their values
		y := base - plotH*i/4
		draw.Draw(img, image.Rect(left, y, width-right, y+1), image.NewUniform(chartGrid), image.Point{}, draw.Src)
		label(img, 2, y+4, trimNumber(top*float64(i)/4))
	}
	draw.Draw(img, image.Rect(left, above, left+1, base), image.NewUniform(chartInk), image.Point{}, draw.Src)
	if len(bars) > 0 {
		slot := plotW / len(bars)
		bw := max(2, slot*6/10)
		for i, b := range bars {
			h := int(float64(plotH) * min(b.Value, top) / top)
			x := left + slot*i + (slot-bw)/2
			draw.Draw(img, image.Rect(x, base-h, x+bw, base), image.NewUniform(b.Color), image.Point{}, draw.Src)
			label(img, x+bw/2-textWidth(trimNumber(b.Value))/2, base-h-4, trimNumber(b.Value))
			n := fmt.Sprint(i + 1)
			label(img, x+bw/2-textWidth(n)/2, base+15, n)
		}
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// niceTop rounds an axis's top up to 1, 2, 2.5 or 5 times a power of ten,
// so that its quarters read as round numbers.
func niceTop(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func label(img *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(chartInk), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int { return 7 * len(s) }

func trimNumber(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
