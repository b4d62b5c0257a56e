package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// okrbot people sync: the same sync as an admin's `/okr people sync`,
// asked of the running okrbot through its control socket, as only the
// server holds the connections to Slack and Teams that read a directory.
// Whoever may use the socket (its owner: mode 0600) acts as an admin.

// peopleRequest is what `okrbot people sync` asks.
type peopleRequest struct {
	Workspace string `json:"workspace,omitempty"`
	Platform  string `json:"platform,omitempty"`
}

// controlPeople answers `people sync {…}` on the control socket. workspace
// is the one workspace the server files every platform under, if any.
func (s *server) controlPeople(workspace string) controlHandler {
	return func(ctx context.Context, c *controlCall) {
		var req peopleRequest
		body, ok := strings.CutPrefix(c.args, "sync ")
		if !ok || json.Unmarshal([]byte(body), &req) != nil {
			c.refuse("this okrbot answers `people sync` only")
			return
		}
		e := s.built.Load()
		if e == nil {
			c.refuse("okrbot is still starting; try again in a moment")
			return
		}
		ws, platform, err := s.syncTarget(ctx, workspace, req)
		if err != nil {
			c.refuse(err.Error())
			return
		}
		r, err := e.SyncPeople(ctx, &okrcore.User{Workspace: ws, Name: "okrbot people sync", Role: okrcore.RoleAdmin}, platform)
		if err != nil {
			c.log.Warn("people sync over control socket", "workspace", ws, "platform", platform, "err", err)
			c.refuse(syncFailure(err))
			return
		}
		_, _ = io.WriteString(c.out, "OK "+r.Sentence()+"\n")
	}
}

// syncTarget is the workspace and platform a sync asked for, or the only
// ones there are.
func (s *server) syncTarget(ctx context.Context, workspace string, req peopleRequest) (ws, platform string, err error) {
	platform = req.Platform
	if platform == "" {
		if len(s.plats) != 1 {
			return "", "", errors.New("okrbot serves Slack and Teams: say whose directory to read with --platform slack or --platform teams")
		}
		platform = s.plats[0].name
	}
	served := false
	for _, p := range s.plats {
		served = served || p.name == platform
	}
	if !served {
		return "", "", fmt.Errorf("this okrbot does not serve %s", platformName(platform))
	}
	ws = req.Workspace
	if ws == "" {
		ws = workspace
	}
	wss, err := workspacesOf(ctx, s.store)
	if err != nil {
		return "", "", err
	}
	var onPlatform []string
	for _, w := range wss {
		if w.ID == ws {
			return ws, platform, nil
		}
		if w.Platform == platform {
			onPlatform = append(onPlatform, w.ID)
		}
	}
	switch {
	case ws != "":
		return "", "", fmt.Errorf("the database has no workspace %q; it holds %s", ws, listWorkspaces(wss))
	case len(onPlatform) == 1:
		return onPlatform[0], platform, nil
	case len(onPlatform) == 0:
		return "", "", fmt.Errorf("nobody has used okrbot on %s yet, so there is no workspace to sync into: say hi to okrbot there first", platformName(platform))
	}
	return "", "", fmt.Errorf("the database holds several %s workspaces (%s): say which with --workspace ID", platformName(platform), strings.Join(onPlatform, ", "))
}

// syncFailure is why a sync changed nothing, in words for people.
func syncFailure(err error) string {
	var u interface{ Usage() string }
	if errors.As(err, &u) {
		return u.Usage()
	}
	if msg := okrcore.ErrorMessage(err); msg != "" {
		return msg
	}
	return "the sync failed and nothing changed; the running okrbot's log says why"
}

// peopleCommand is okrbot people sync (parseArgs checked its words).
func peopleCommand(ctx context.Context, cfg *config, stdout io.Writer) error {
	body, err := json.Marshal(peopleRequest{Workspace: cfg.workspace, Platform: cfg.platform})
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	var d net.Dialer
	sock := controlPath(cfg.db)
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return fmt.Errorf("okrbot people sync asks the running okrbot (okrbot serve), which holds the connections to Slack and Teams; none answers on %s", sock)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := fmt.Fprintf(conn, "people sync %s\n", body); err != nil {
		return fmt.Errorf("the running okrbot does not take requests: %s", reason(err))
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return errors.New("the running okrbot stopped answering before the sync finished")
	}
	status, text, _ := strings.Cut(strings.TrimSpace(line), " ")
	if status != "OK" {
		return errors.New(text)
	}
	fmt.Fprintln(stdout, text)
	return nil
}
