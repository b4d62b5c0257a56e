package teams

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"math"
	"net/url"
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

// tabs are the manifest's Teams tabs, added when okrbot's public URL is
// known: "My OKRs" (a personal tab), a team's page as a channel tab, and
// the app registration their single sign-on asks tokens for.
//
//go:embed app/tabs.json
var tabs string

// ManifestWithTabs is Manifest with the tabs of the web view at publicURL
// (https, as Teams requires): its host becomes a valid domain and the
// audience of the tab's single sign-on (api://HOST/APPID).
func ManifestWithTabs(appID, publicURL string) ([]byte, error) {
	m, err := Manifest(appID)
	if err != nil || publicURL == "" {
		return m, err
	}
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" {
		return nil, errors.New("teams: the tabs need okrbot's public URL on https, such as https://okrbot.example.com")
	}
	var doc, add map[string]json.RawMessage
	if err := json.Unmarshal(m, &doc); err != nil {
		return nil, err
	}
	t := strings.NewReplacer("{{APP_ID}}", strings.ToLower(appID), "{{PUBLIC_URL}}", u.String(), "{{PUBLIC_HOST}}", u.Host).Replace(tabs)
	if err := json.Unmarshal([]byte(t), &add); err != nil {
		return nil, err
	}
	maps.Copy(doc, add)
	var domains []string
	if err := json.Unmarshal(doc["validDomains"], &domains); err != nil {
		return nil, err
	}
	if doc["validDomains"], err = json.Marshal(append(domains, u.Host)); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Package writes the installable Teams app package (a zip of
// manifest.json, color.png and outline.png) for the bot appID, to upload
// in Teams (Apps → Manage your apps → Upload an app) or the Teams admin
// center. With okrbot's publicURL the app has the web view's tabs.
func Package(w io.Writer, appID, publicURL string) error {
	m, err := ManifestWithTabs(appID, publicURL)
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
