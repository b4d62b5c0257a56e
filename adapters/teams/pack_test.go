package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"image/png"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestPackage(t *testing.T) {
	var b bytes.Buffer
	if err := Package(&b, testAppID, ""); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	if len(files) != 3 {
		t.Fatalf("files: %v", len(files))
	}
	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string
		ID              string
		Icons           struct{ Color, Outline string }
		Bots            []struct {
			BotID        string
			Scopes       []string
			CommandLists []struct {
				Scopes   []string
				Commands []struct{ Title, Description string }
			}
		}
		ValidDomains []string
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != testAppID || len(m.Bots) != 1 || m.Bots[0].BotID != testAppID || m.ManifestVersion != "1.17" || !strings.Contains(m.Schema, "v1.17") {
		t.Fatalf("manifest: %+v", m)
	}
	if strings.Contains(string(files["manifest.json"]), "{{") {
		t.Error("placeholder left")
	}
	titles := ""
	for _, l := range m.Bots[0].CommandLists {
		for _, c := range l.Commands {
			titles += c.Title + ","
			if len(c.Title) > 32 || len(c.Description) > 128 {
				t.Errorf("command too long: %+v", c)
			}
		}
	}
	for _, want := range []string{"okr mine", "okr team", "okr checkin", "okr help"} {
		if !strings.Contains(titles, want) {
			t.Errorf("no %q command", want)
		}
	}
	if strings.Join(m.Bots[0].Scopes, ",") != "personal,team" {
		t.Errorf("scopes %v", m.Bots[0].Scopes)
	}
	for name, size := range map[string]int{m.Icons.Color: 192, m.Icons.Outline: 32} {
		img, err := png.Decode(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %v", name, b)
		}
	}
	// The outline icon is white on transparent.
	img, _ := png.Decode(bytes.NewReader(files["outline.png"]))
	for _, p := range [][2]int{{0, 0}, {16, 16}} {
		_, _, _, a := img.At(p[0], p[1]).RGBA()
		r, g, bl, _ := img.At(p[0], p[1]).RGBA()
		if a != 0 && (r != 0xffff || g != 0xffff || bl != 0xffff) {
			t.Errorf("outline pixel %v not white or transparent", p)
		}
	}
	if err := Package(io.Discard, "not-a-guid", ""); err == nil {
		t.Error("bad app id accepted")
	}
}

var update = flag.Bool("update", false, "rewrite deploy/teams from the package's files")

// deploy/teams holds the same manifest and icons as the package.
func TestDeployFiles(t *testing.T) {
	color, outline := Icons()
	for name, want := range map[string][]byte{"manifest.json": []byte(manifest), "color.png": color, "outline.png": outline} {
		path := "../../deploy/teams/" + name
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("deploy/teams/%s differs from the package's; run: go test ./adapters/teams -run TestDeployFiles -update", name)
		}
	}
}

// TestManifestTabs: with okrbot's public URL the manifest has the "My
// OKRs" personal tab, the team page as a channel tab, and the app
// registration of their single sign-on; without it, none of them.
func TestManifestTabs(t *testing.T) {
	var m struct {
		StaticTabs []struct {
			EntityID, Name, ContentURL, WebsiteURL string
			Scopes                                 []string
		}
		ConfigurableTabs []struct {
			ConfigurationURL string
			Scopes, Context  []string
		}
		WebApplicationInfo struct{ ID, Resource string }
		ValidDomains       []string
		Bots               []struct{ BotID string }
	}
	b, err := ManifestWithTabs(testAppID, "https://okr.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.StaticTabs) != 1 || m.StaticTabs[0].Name != "My OKRs" || m.StaticTabs[0].ContentURL != "https://okr.example.com/okr/tab" || m.StaticTabs[0].Scopes[0] != "personal" {
		t.Errorf("static tabs %+v", m.StaticTabs)
	}
	if len(m.ConfigurableTabs) != 1 || m.ConfigurableTabs[0].ConfigurationURL != "https://okr.example.com/okr/tab?view=config" || m.ConfigurableTabs[0].Scopes[0] != "team" {
		t.Errorf("configurable tabs %+v", m.ConfigurableTabs)
	}
	if m.WebApplicationInfo.ID != testAppID || m.WebApplicationInfo.Resource != "api://okr.example.com/"+testAppID {
		t.Errorf("webApplicationInfo %+v", m.WebApplicationInfo)
	}
	if !slices.Contains(m.ValidDomains, "okr.example.com") || len(m.Bots) != 1 || strings.Contains(string(b), "{{") {
		t.Errorf("domains %v, bots %v", m.ValidDomains, m.Bots)
	}
	for _, bad := range []string{"http://okr.example.com", "okr.example.com", "https://okr.example.com/?x=1"} {
		if _, err := ManifestWithTabs(testAppID, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	plain, err := ManifestWithTabs(testAppID, "")
	if err != nil || strings.Contains(string(plain), "staticTabs") || strings.Contains(string(plain), "webApplicationInfo") {
		t.Errorf("without a public URL: %v %s", err, plain)
	}
}
