package teams

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"regexp"
	"strings"
)

// manifest is the Teams app manifest with {{APP_ID}} placeholders; the
// same file is deploy/teams/manifest.json.
//
//go:embed app/manifest.json
var manifest string

var appIDRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Manifest returns the app manifest for the bot appID.
func Manifest(appID string) ([]byte, error) {
	if !appIDRe.MatchString(appID) {
		return nil, errors.New("teams: the app id must be the bot's Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000")
	}
	return []byte(strings.ReplaceAll(manifest, "{{APP_ID}}", strings.ToLower(appID))), nil
}

// Package writes the installable Teams app package (a zip of
// manifest.json, color.png and outline.png) for the bot appID, to upload
// in Teams (Apps → Manage your apps → Upload an app) or the Teams admin
// center.
func Package(w io.Writer, appID string) error {
	m, err := Manifest(appID)
	if err != nil {
		return err
	}
	color, outline := Icons()
	z := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", m}, {"color.png", color}, {"outline.png", outline}} {
		fw, err := z.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return z.Close()
}

// Icons draws the app's icons: a 192×192 colour icon (a white target on
// the accent colour) and a 32×32 outline icon (white on transparent), as
// Teams requires. deploy/teams holds the same files.
func Icons() (colorPNG, outlinePNG []byte) {
	accent := color.NRGBA{0x2E, 0x6D, 0xB4, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	return drawTarget(192, accent, white), drawTarget(32, color.NRGBA{}, white)
}

// drawTarget draws two rings and a bullseye of fg on bg.
func drawTarget(size int, bg, fg color.NRGBA) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	c := float64(size) / 2
	s := float64(size) / 192
	for y := range size {
		for x := range size {
			d := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c) / s
			on := (d >= 62 && d <= 78) || (d >= 32 && d <= 46) || d <= 16
			if size <= 32 { // thicker strokes for the small icon
				on = (d >= 60 && d <= 88) || d <= 30
			}
			if on {
				img.SetNRGBA(x, y, fg)
			} else {
				img.SetNRGBA(x, y, bg)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // writing to memory cannot fail
	return b.Bytes()
}
