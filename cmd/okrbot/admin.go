package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/okrbot/okrbot/cmd/okrbot/transfercmd"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
)

// okrbot admin ADDRESS|NAME gives a person the admin role from the
// server's shell. In chat only an admin makes admins, and the first person
// to write to an empty workspace becomes one; a workspace filled by an
// import (or a directory sync) is not empty, so it starts with nobody who
// may change it, and a workspace whose admins all left is stuck the same
// way. Whoever may run okrbot against its database may read and change
// everything in it anyway, so the server's shell is where that is undone.

// adminRequest is what `okrbot admin` asks, of the database or of the
// running okrbot.
type adminRequest struct {
	Workspace string `json:"workspace,omitempty"`
	Person    string `json:"person"`
}

// operator is who changes the role: the admin that the shell stands for.
func operator(ws string) *okrcore.User {
	return &okrcore.User{Workspace: ws, Name: "okrbot admin", Role: okrcore.RoleAdmin}
}

// makeAdmin gives the person req names the admin role and says so in one
// sentence.
func makeAdmin(ctx context.Context, db okrcore.Store, req adminRequest) (string, error) {
	wss, err := transfercmd.WorkspacesOf(ctx, db)
	if err != nil {
		return "", err
	}
	ws, err := adminWorkspace(wss, req.Workspace)
	if err != nil {
		return "", err
	}
	var said string
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		u, err := personNamed(tx, ws, req.Person)
		if err != nil {
			return err
		}
		who := u.Name
		if u.Email != "" && !strings.EqualFold(u.Email, u.Name) {
			who = fmt.Sprintf("%s (%s)", u.Name, u.Email)
		}
		if u.Role == okrcore.RoleAdmin {
			said = fmt.Sprintf("%s is already an admin of %s.", who, ws)
			return nil
		}
		if _, err := okrcore.SetRole(tx, operator(ws), okrcore.Given(u.ID), okrcore.RoleAdmin); err != nil {
			return err
		}
		said = fmt.Sprintf("%s is now an admin of %s: they may create cycles and teams, and make others admin with /okr role.", who, ws)
		return nil
	})
	if err != nil {
		return "", err
	}
	return said, nil
}

// personNamed finds a person by address (as an import or a directory sync
// knows them, before they ever wrote) or by the name /okr users shows.
func personNamed(tx okrcore.Tx, ws, name string) (*okrcore.User, error) {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "@"))
	if strings.Contains(name, "@") {
		u, err := people.PersonWithEmail(tx, ws, name)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, fmt.Errorf("nobody in %s has the address %s: people are known by address once an import, `okrbot people sync` or their first message brought them in", ws, name)
		}
		return u, nil
	}
	u, err := tx.UserByName(ws, name)
	if okrcore.IsNotFound(err) {
		return nil, fmt.Errorf("nobody in %s is called %q: name them by e-mail address, or as /okr users lists them", ws, name)
	}
	return u, err
}

// adminWorkspace is the workspace want names, or the only one there is.
func adminWorkspace(wss []*okrcore.Workspace, want string) (string, error) {
	switch {
	case want != "":
		for _, w := range wss {
			if w.ID == want {
				return w.ID, nil
			}
		}
		if len(wss) == 0 {
			return "", fmt.Errorf("the database has no workspace %q: it holds none yet", want)
		}
		return "", fmt.Errorf("the database has no workspace %q; it holds %s", want, transfercmd.ListWorkspaces(wss))
	case len(wss) == 1:
		return wss[0].ID, nil
	case len(wss) == 0:
		return "", errors.New("the database holds no workspace yet: the first person to write to okrbot becomes its admin, or import a programme first")
	}
	return "", fmt.Errorf("the database holds %d workspaces: %s; say which with --workspace ID", len(wss), transfercmd.ListWorkspaces(wss))
}

// adminFailure is why nobody became admin, in words for people.
func adminFailure(err error) string {
	if msg := okrcore.ErrorMessage(err); msg != "" {
		return msg
	}
	if errors.Is(err, context.Canceled) {
		return "stopped before anything changed"
	}
	return err.Error()
}

// controlAdmin answers `admin {…}` on the control socket.
func controlAdmin(ctx context.Context, c *controlCall) {
	var req adminRequest
	if json.Unmarshal([]byte(c.args), &req) != nil || strings.TrimSpace(req.Person) == "" {
		c.refuse("this okrbot takes `admin` with a person to make admin")
		return
	}
	said, err := makeAdmin(ctx, c.db, req)
	if err != nil {
		c.refuse(adminFailure(err))
		return
	}
	c.log.Info("admin role given over control socket", "workspace", req.Workspace)
	_, _ = io.WriteString(c.out, "OK "+said+"\n")
}

// adminCommand is okrbot admin (parseArgs checked its words): on the
// database directly, or through the running okrbot that holds it.
func adminCommand(ctx context.Context, cfg *config, stdout io.Writer) error {
	req := adminRequest{Workspace: cfg.workspace, Person: cfg.args[0]}
	if !isServer(cfg.db) {
		// Opening would start a new, empty database: nobody to make admin.
		if st, err := os.Stat(cfg.db); err != nil || st.Size() == 0 {
			return fmt.Errorf("no okrbot database at %s: say which with --db", cfg.db)
		}
	}
	db, err := openBackend(cfg.db, openOptions{wait: 300 * time.Millisecond})
	switch {
	case errors.Is(err, errHeld):
		said, err := adminFromRunning(ctx, controlPath(cfg.db), req)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, said)
		return nil
	case err != nil:
		return err
	}
	said, err := makeAdmin(ctx, db, req)
	if cerr := db.Close(); err == nil && cerr != nil {
		return fmt.Errorf("close the database: %w", cerr)
	}
	if err != nil {
		return errors.New(adminFailure(err))
	}
	fmt.Fprintln(stdout, said)
	return nil
}

func adminFromRunning(ctx context.Context, sock string, req adminRequest) (string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("encode the request: %w", err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return "", fmt.Errorf("the database is in use and the running okrbot does not answer on %s", sock)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := fmt.Fprintf(conn, "admin %s\n", body); err != nil {
		return "", fmt.Errorf("the running okrbot does not take requests: %s", reason(err))
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", errors.New("the running okrbot stopped answering before it said whether the role changed")
	}
	status, text, _ := strings.Cut(strings.TrimSpace(line), " ")
	if status != "OK" {
		return "", errors.New(text)
	}
	return text, nil
}
