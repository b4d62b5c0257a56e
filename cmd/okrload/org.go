package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// orgNow is the moment every generated organisation is as of
// (storagetest's default): Wednesday 18 November 2026, 10:00 UTC, the
// middle of its quarter. Engines are driven with a clock at it.
var orgNow = storagetest.DefaultOrgSpec().Now

// org is what the scenarios look a generated organisation up by, read
// from its file (so that a reused --db needs nothing else).
type org struct {
	ws          string
	cycle       okrcore.ID
	users       []*okrcore.User // in ID order; users[0] is the admin
	teams       []*okrcore.Team
	departments []*okrcore.Team // top-level teams
}

// orgSpec is the organisation okrload generates for n people: the
// proportions of storagetest's default (10,000 people in 2,000 teams with
// 30,000 objectives and 100,000 key results), perKR weekly check-ins on
// each key result, in Slack workspace T1.
func orgSpec(n, perKR int) storagetest.OrgSpec {
	return storagetest.OrgSpec{Workspace: slacktest.Team, Users: n, Teams: max(1, n/5), Objectives: 3 * n, KeyResults: 10 * n,
		CheckInsPerKR: perKR}
}

// orgFile is the file of the organisation: --db when it exists, else one
// generated (into --db when given, or the temporary directory).
func orgFile(ctx context.Context, c *config, log *progress) (string, error) {
	path := c.db
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			return path, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("cannot read --db %s: %w", path, err)
		}
	} else {
		path = filepath.Join(c.tempDir, "org.db")
	}
	log.phase(fmt.Sprintf("generating %d people into %s", c.people, path), nil)
	start := time.Now()
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	o, err := storagetest.GenerateOrg(ctx, db, orgSpec(c.people, c.perKR))
	if err == nil {
		err = slacktest.MoveToSlack(ctx, db, o.Workspace)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Written without fsync: flush it now, or the first synced commit
		// of a run pays for writing the whole file back.
		err = syncFile(path)
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("generate the organisation: %w", err)
	}
	log.phase(fmt.Sprintf("generated %d people, %d teams, %d objectives, %d key results, %d check-ins in %s",
		o.Users, o.Teams, o.Objectives, o.KeyResults, o.CheckIns, time.Since(start).Round(time.Millisecond)), nil)
	return path, nil
}

// openCopy copies the organisation's file to name in the temporary
// directory and opens it with fsync on, as okrbot serve does: each run
// starts from the same organisation.
func openCopy(ctx context.Context, c *config, log *progress, name string) (*bolt.DB, *org, error) {
	src, err := orgFile(ctx, c, log)
	if err != nil {
		return nil, nil, err
	}
	dst := filepath.Join(c.tempDir, name)
	if err := copyFile(src, dst); err != nil {
		return nil, nil, err
	}
	db, err := bolt.Open(dst, bolt.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", dst, err)
	}
	o, err := readOrg(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, o, nil
}

// readOrg reads what the scenarios need of workspace T1.
func readOrg(ctx context.Context, db okrcore.Store) (*org, error) {
	o := &org{ws: slacktest.Team}
	err := db.View(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(o.ws)
		if err != nil {
			return err
		}
		o.cycle = w.CurrentCycle
		if o.users, err = tx.Users(o.ws); err != nil {
			return err
		}
		o.teams, err = tx.Teams(o.ws)
		return err
	})
	if okrcore.IsNotFound(err) || err == nil && len(o.users) == 0 {
		return nil, errors.New("the file holds no organisation okrload generated (no workspace T1 with people); give --db a new path to generate one there")
	}
	if err != nil {
		return nil, fmt.Errorf("read the organisation: %w", err)
	}
	for _, t := range o.teams {
		if t.Parent == 0 {
			o.departments = append(o.departments, t)
		}
	}
	return o, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy the organisation: %w", err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return fmt.Errorf("copy the organisation: %w", err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy the organisation: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return fmt.Errorf("copy the organisation: %w", err)
	}
	return dst.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// commonOrgFlags are the flags that shape a generated organisation.
func commonOrgFlags(fs *flag.FlagSet, c *config) {
	fs.IntVar(&c.perKR, "checkins-per-kr", 6, "weekly check-ins each generated key result has, up to the organisation's moment (mid-quarter, seven weeks in)")
}

// profileFlag is --cpuprofile of a scenario that runs the code under load
// in okrload's own process.
func profileFlag(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the run (okrload and the code under load, one process) to this `file` (read it with go tool pprof)")
}

func checkOrgFlags(c *config) error {
	if c.perKR < 0 || c.perKR > 100 {
		return fmt.Errorf("--checkins-per-kr %d: give between 0 and 100", c.perKR)
	}
	return nil
}
