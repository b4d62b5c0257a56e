// Package chart draws the charts of digests and reports as PNG images
// with gonum.org/v1/plot, and says in words what each one shows (its alt
// text) and in one line of block characters (a sparkline) what a history
// does, for the terminal and for a chat client that shows no image.
//
// It reads plain data (series of points, an expected line, a status), never
// the store, and keeps no clock: the same data draws the same bytes.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/png"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of every chart: 800 by 400 pixels at 96 dots per inch, which chat
// clients show without scaling it down to unreadable.
const (
	WidthPx  = 800
	HeightPx = 400
	dpi      = 96
)

// Point is one value of a history: a progress as a fraction (0.4 is 40%)
// at a time.
type Point struct {
	At    time.Time
	Value float64
}

// The Okabe-Ito palette, which people with any common colour vision
// deficiency tell apart; yellow is left out, too faint on white.
var palette = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
}

// colour is the palette's i-th colour, repeating past its end.
func colour(i int) color.Color { return palette[i%len(palette)] }

var grey = color.RGBA{0x66, 0x66, 0x66, 0xFF}

// newPlot is a plot with fonts large enough to read at chat sizes.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(20)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(15)
		a.Tick.Label.Font.Size = vg.Points(13)
		a.Width = vg.Points(1)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font.Size = vg.Points(13)
	p.Legend.Top = true
	p.Legend.Left = true
	return p
}

// percentAxis makes the Y axis a progress from 0 to 100%, with room above
// it for a legend of entries lines, so that the legend never hides a line.
func percentAxis(p *plot.Plot, entries int) {
	p.Y.Min, p.Y.Max = 0, 1+0.1*float64(entries)
	p.Y.Tick.Marker = percentTicks{}
}

// percentTicks labels fractions as percentages every 25 points, up to
// 100% (the room above is the legend's).
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := 0.0; v <= min(hi, 1)+1e-9; v += 0.25 {
		if v >= lo-1e-9 {
			ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f%%", v*100)})
		}
	}
	return ts
}

// weekTicks labels an axis counted in weeks since a cycle's start.
type weekTicks struct{}

func (weekTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/8))
	var ts []plot.Tick
	for v := math.Ceil(lo); v <= hi+1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ts
}

// shades are the only colours a chart has: each of the palette's, grey's
// and black's 16 blends with the white background, which is what the
// anti-aliased edges of lines and letters on white are.
var shades = func() color.Palette {
	var out color.Palette
	for _, c := range append(palette[:], grey) {
		for i := range 16 {
			t := uint32(i)
			mix := func(v uint8) uint8 { return uint8((uint32(v)*(15-t) + 0xFF*t) / 15) }
			out = append(out, color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xFF})
		}
	}
	return out
}()

// encode draws p as a PNG of the fixed size, its pixels mapped to shades
// (no dithering, so the same plot is the same bytes): a third of the
// bytes of a full-colour PNG, which is what lets a team's chart fit inline
// in a Teams card. The default compression: the best one halves the speed
// for 7% fewer bytes.
func encode(p *plot.Plot) ([]byte, error) {
	w := vg.Length(WidthPx) * vg.Inch / dpi
	h := vg.Length(HeightPx) * vg.Inch / dpi
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, paletted(c.Image())); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// paletted maps img's pixels to their nearest shades, as draw.Draw with
// draw.Src does (color.Palette's distance, the first of equals, no
// dithering), but each colour looked up once: a chart has a few hundred
// colours in its 320,000 pixels, and draw.Draw searched the 144 shades
// for every pixel, most of a chart's time.
func paletted(img image.Image) *image.Paletted {
	small := image.NewPaletted(img.Bounds(), shades)
	rgba, ok := img.(*image.RGBA)
	if !ok {
		stddraw.Draw(small, img.Bounds(), img, img.Bounds().Min, stddraw.Src)
		return small
	}
	b := rgba.Bounds()
	memo := map[[4]uint8]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		in, out := rgba.Pix[rgba.PixOffset(b.Min.X, y):], small.Pix[small.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			px := [4]uint8(in[4*x : 4*x+4])
			i, ok := memo[px]
			if !ok {
				i = uint8(shades.Index(color.RGBA{px[0], px[1], px[2], px[3]}))
				memo[px] = i
			}
			out[x] = i
		}
	}
	return small
}

// weeksSince is how many weeks t is after start, as a fraction.
func weeksSince(start, t time.Time) float64 {
	return t.Sub(start).Hours() / (24 * 7)
}

// expectedAt is the expected progress at t of a cycle from start to end:
// a straight line from 0 to 100%.
func expectedAt(start, end, t time.Time) float64 {
	if !end.After(start) {
		return 0
	}
	f := float64(t.Sub(start)) / float64(end.Sub(start))
	return math.Max(0, math.Min(1, f))
}

// pct writes a fraction as whole percentage points ("40%").
func pct(f float64) string { return fmt.Sprintf("%d%%", points(f)) }

// points is a fraction as whole percentage points.
func points(f float64) int { return int(math.Round(f * 100)) }

// finite is v when it is a number, ok false for NaN and infinities.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
