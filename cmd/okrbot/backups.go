package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// fileBackup is a backend that writes a consistent copy of itself into a
// file while it serves, replacing the file only once the copy is complete.
type fileBackup interface {
	BackupToFile(ctx context.Context, path string) (int64, error)
}

// backupPrefix names scheduled backups: okrbot-20261122T101500Z.db.
const backupPrefix = "okrbot-"

// backupsFor is what --backup-dir asks of serve: nil when it is unset, an
// error when the database cannot write backups.
func backupsFor(db backend, cfg *config, log *slog.Logger) (func(context.Context), error) {
	if cfg.backupDir == "" {
		return nil, nil
	}
	fb, ok := db.(fileBackup)
	if !ok {
		return nil, fmt.Errorf("backup-dir %s: %w", cfg.backupDir, errNoHotBackup)
	}
	return func(ctx context.Context) {
		scheduledBackups(ctx, fb, cfg.backupDir, cfg.backupEvery, cfg.backupKeep, time.Now, log)
	}, nil
}

// scheduledBackups writes a backup into dir every interval until ctx ends,
// keeping the newest keep of them. Failures are logged and tried again at
// the next interval.
func scheduledBackups(ctx context.Context, db fileBackup, dir string, every time.Duration, keep int, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := backupOnce(ctx, db, dir, keep, now()); err != nil && ctx.Err() == nil {
			log.Error("scheduled backup", "dir", dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// backupOnce writes one timestamped backup into dir and removes the oldest
// beyond keep. It returns the file written.
func backupOnce(ctx context.Context, db fileBackup, dir string, keep int, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("backup directory: %w", err)
	}
	path := filepath.Join(dir, backupPrefix+now.UTC().Format("20060102T150405Z")+".db")
	if _, err := db.BackupToFile(ctx, path); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return path, fmt.Errorf("list backups: %w", err)
	}
	var backups []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, ".db") && !e.IsDir() {
			backups = append(backups, n)
		}
	}
	sort.Strings(backups) // the timestamps sort in time order
	for len(backups) > keep {
		if err := os.Remove(filepath.Join(dir, backups[0])); err != nil {
			return path, fmt.Errorf("remove old backup: %w", err)
		}
		backups = backups[1:]
	}
	return path, nil
}
