package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/cmd/okrbot/transfercmd"
	"github.com/okrbot/okrbot/okrcore"
)

// okrbot import and okrbot export live in transfercmd; this is their
// wiring to the configuration, the store and the control socket.

const defaultImportMaxBytes = transfercmd.DefaultImportMaxBytes

func (cfg *config) transferFlags() transfercmd.Flags {
	return transfercmd.Flags{Command: cfg.command, Args: cfg.args, Format: cfg.format, What: cfg.what, Cycle: cfg.cycle,
		Workspace: cfg.workspace, Platform: cfg.platform, DryRun: cfg.dryRun, SkipBadRows: cfg.skipBadRows, ImportMaxBytes: cfg.importMaxBytes}
}

// checkTransferArgs checks the arguments of okrbot import and export, and
// fills in the defaults that depend on the command.
func checkTransferArgs(cfg *config) error {
	f := cfg.transferFlags()
	err := transfercmd.CheckArgs(&f)
	cfg.format, cfg.what = f.Format, f.What
	return err
}

func (cfg *config) transferEnv(stderr io.Writer, log *slog.Logger) transfercmd.Env {
	now := time.Now()
	if cfg.now != nil {
		// --clock stamps what the file gives no time for.
		now = cfg.now()
	}
	return transfercmd.Env{
		Flags: cfg.transferFlags(), DB: cfg.db, Server: isServer(cfg.db), Socket: controlPath(cfg.db),
		DefaultPlatform: defaultPlatform(cfg.getenv), Now: now, Terminal: isTerminal(stderr), Log: log,
		CheckFile: func() error {
			if err := checkDatabasePath(cfg.db); err != nil {
				return err
			}
			return refuseEmpty(cfg.db, cfg.init)
		},
		Open: func(readOnly bool) (transfercmd.Store, error) {
			return openBackend(cfg.db, openOptions{log: log, wait: 300 * time.Millisecond, readOnly: readOnly})
		},
		Held: func(err error) bool { return errors.Is(err, errHeld) },
	}
}

// defaultPlatform is the platform a new workspace is created on when
// --platform does not say: the one whose credentials are configured.
func defaultPlatform(getenv func(string) string) string {
	_, slackSet, _ := slackConfig(getenv)
	_, teamsSet, _ := teamsConfig(getenv)
	switch {
	case slackSet && teamsSet:
		return "both"
	case slackSet:
		return "slack"
	case teamsSet:
		return "teams"
	}
	return shell.Platform
}

func importCommand(ctx context.Context, cfg *config, stdout, stderr io.Writer, log *slog.Logger) error {
	return transfercmd.Import(ctx, cfg.transferEnv(stderr, log), stdout, stderr)
}

func exportCommand(ctx context.Context, cfg *config, stdout, stderr io.Writer, log *slog.Logger) error {
	return transfercmd.Export(ctx, cfg.transferEnv(stderr, log), stdout, stderr)
}

func recoverImport(ctx context.Context, db okrcore.Store, log *slog.Logger) error {
	return transfercmd.Recover(ctx, db, log)
}

func (c *controlCall) transferCall() *transfercmd.Call {
	return &transfercmd.Call{Args: c.args, Dir: c.dir, In: c.in, Out: c.out, DB: c.db, Log: c.log}
}

func controlImport(ctx context.Context, c *controlCall) {
	transfercmd.ServeImport(ctx, c.transferCall())
}
func controlExport(ctx context.Context, c *controlCall) {
	transfercmd.ServeExport(ctx, c.transferCall())
}

// The people commands say workspaces as the import does.
func platformName(p string) string                   { return transfercmd.PlatformName(p) }
func listWorkspaces(wss []*okrcore.Workspace) string { return transfercmd.ListWorkspaces(wss) }
func workspacesOf(ctx context.Context, db okrcore.Store) ([]*okrcore.Workspace, error) {
	return transfercmd.WorkspacesOf(ctx, db)
}
