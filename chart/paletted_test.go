package chart

import (
	"bytes"
	"image"
	"image/color"
	stddraw "image/draw"
	"math/rand/v2"
	"testing"
)

// paletted picks each pixel's shade as draw.Draw does, for any colour,
// in a chart's RGBA image and in any other.
func TestPalettedIsDrawDraw(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	rgba := image.NewRGBA(image.Rect(0, 0, 97, 41))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(r.IntN(256))
	}
	// Runs of the shades themselves and of one colour, as a chart has.
	for x := range 60 {
		rgba.Set(x, 3, shades[x%len(shades)])
		rgba.Set(x, 4, color.RGBA{0x33, 0x66, 0x99, 0xFF})
	}
	nrgba := image.NewNRGBA(rgba.Bounds())
	stddraw.Draw(nrgba, nrgba.Bounds(), rgba, image.Point{}, stddraw.Src)
	for name, img := range map[string]image.Image{"rgba": rgba, "nrgba": nrgba} {
		want := image.NewPaletted(img.Bounds(), shades)
		stddraw.Draw(want, img.Bounds(), img, image.Point{}, stddraw.Src)
		if got := paletted(img); !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s: the shades differ from draw.Draw's", name)
		}
	}
}
