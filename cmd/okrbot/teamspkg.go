package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/okrbot/okrbot/adapters/teams"
)

// teamsPackage writes the installable Teams app package with the app id
// filled in, atomically; with a public URL the app has the web view's tabs.
func teamsPackage(appID, publicURL, out string, stdout io.Writer) error {
	if appID == "" {
		return errors.New("teams-package: set MICROSOFT_APP_ID to the bot's app id (Azure Bot → Configuration)")
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("teams-package: %w", err)
	}
	defer os.Remove(f.Name())
	err = teams.Package(f, appID, publicURL)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("teams-package: %w", err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return fmt.Errorf("teams-package: %w", err)
	}
	fmt.Fprintf(stdout, "Wrote %s: upload it in Teams (Apps → Manage your apps → Upload an app).\n", out)
	return nil
}
