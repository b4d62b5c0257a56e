package transfercmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

func TestDetectFormat(t *testing.T) {
	viva := vivagoalstest.Zip(t, map[string]string{"export/Users.json": "[]", "export/objectives.json": "[]"})
	tests := []struct {
		name    string
		content []byte
		want    string
		refusal string
	}{
		{"viva goals zip", viva, FormatVivaGoals, ""},
		{"workbook", vivagoalstest.Zip(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}), FormatXLSX, ""},
		{"empty zip", vivagoalstest.Zip(t, nil), FormatVivaGoals, ""},
		{"zip cut short", viva[:len(viva)-30], "", "cut short"},
		{"okrbot export", []byte(`{"format":"okrbot-export","version":1}`), FormatOkrbot, ""},
		{"okrbot export with BOM and spaces", []byte("\xef\xbb\xbf\n  {\n  \"format\" : \"okrbot-export\"}"), FormatOkrbot, ""},
		{"other JSON", []byte(`{"objectives":[]}`), "", "not an okrbot export"},
		{"JSON array", []byte(`[{"ID":1}]`), "", "not an okrbot export"},
		{"another tool's format key", []byte(`{"format":"something-else"}`), "", "not an okrbot export"},
		{"csv", []byte("Id,Title,Owner\n1,Grow,alice@example.com\n"), FormatCSV, ""},
		{"csv with BOM", []byte("\xef\xbb\xbfTitle;Owner\r\nGrow;Ana Müller\r\n"), FormatCSV, ""},
		{"binary", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2}, "", "not a file okrbot can import"},
		{"latin-1 text", []byte("Title\nM\xfcller\n"), "", "not a file okrbot can import"},
		{"white space", []byte(" \n\t\n"), "", "nothing but white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := detectFormat(bytes.NewReader(tt.content), int64(len(tt.content)))
			if tt.refusal != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refusal) {
					t.Errorf("got %q, %v; want a refusal saying %q", got, err, tt.refusal)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDetectFormatForgivesACharacterCutAtTheHead(t *testing.T) {
	// The head ends inside a two-byte character of a longer CSV.
	b := append(bytes.Repeat([]byte("a"), sniffBytes-1), "ü,x\n"...)
	if got, err := detectFormat(bytes.NewReader(b), int64(len(b))); err != nil || got != FormatCSV {
		t.Errorf("got %q, %v; want csv", got, err)
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{5 << 20, "5.0 MiB"}, {DefaultImportMaxBytes, "2.0 GiB"}, {3 << 40, "3.0 TiB"},
	}
	for _, tt := range tests {
		if got := ByteSize(tt.n); got != tt.want {
			t.Errorf("ByteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
