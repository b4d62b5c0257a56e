package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// store is the organisation's store a scenario runs on: a copy of its
// bbolt file, or a schema of its own on PostgreSQL.
type store interface {
	okrcore.Store
	Close() error
}

// orgStore is an opened organisation: where okrbot serve finds it (a file
// path or a postgres:// URL) and what removes it when the run ends.
type orgStore struct {
	db      store
	o       *org
	setting string
	drop    func()
}

// databaseFlag is --database-url of a scenario that can run on PostgreSQL.
func databaseFlag(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.databaseURL, "database-url", "", "run on this PostgreSQL server (`postgres://user@host:5432/name`) instead of a bbolt file: each run loads the organisation into a schema of its own there, dropped at the end")
}

func checkDatabaseURL(c *config) error {
	if c.databaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return fmt.Errorf("--database-url %s: give a postgres:// URL, such as postgres://postgres@127.0.0.1:5432/test", redactURL(c.databaseURL))
	}
	return nil
}

// redactURL hides a URL's password in a message.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// openOrg opens the organisation the scenario runs on: a copy of its file
// named name (openCopy), or with --database-url a new schema on that
// server, which the generator fills with the same organisation as the
// file's (its spec and seed) and drop removes.
func openOrg(ctx context.Context, c *config, log *progress, name string) (*orgStore, error) {
	if c.databaseURL == "" {
		db, o, err := openCopy(ctx, c, log, name)
		if err != nil {
			return nil, err
		}
		return &orgStore{db: db, o: o, setting: db.Path(), drop: func() {}}, nil
	}
	u, drop, err := postgrestest.New(ctx, c.databaseURL)
	if err != nil {
		return nil, fmt.Errorf("--database-url %s: %w", redactURL(c.databaseURL), err)
	}
	s := &orgStore{setting: u, drop: func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := drop(ctx); err != nil {
			log.note(fmt.Sprintf("the run's schema is left behind: %s", err))
		}
	}}
	if err := s.load(ctx, c, log); err != nil {
		s.close()
		s.drop()
		return nil, err
	}
	return s, nil
}

// load generates the organisation into the schema, as okrbot serve opens
// it (okrbot's own migrations, the default pool).
func (s *orgStore) load(ctx context.Context, c *config, log *progress) error {
	db, err := postgres.Open(ctx, s.setting, postgres.Options{Logger: c.log})
	if err != nil {
		return err
	}
	s.db = db
	log.phase(fmt.Sprintf("generating %d people into PostgreSQL %s", c.people, schemaOf(s.setting)), nil)
	start := time.Now()
	g, err := storagetest.GenerateOrg(ctx, db, orgSpec(c.people, c.perKR))
	if err == nil {
		err = slacktest.MoveToSlack(ctx, db, g.Workspace)
	}
	if err != nil {
		return fmt.Errorf("generate the organisation on PostgreSQL: %w", err)
	}
	log.phase(fmt.Sprintf("generated %d people, %d teams, %d objectives, %d key results, %d check-ins in %s",
		g.Users, g.Teams, g.Objectives, g.KeyResults, g.CheckIns, time.Since(start).Round(time.Millisecond)), nil)
	s.o, err = readOrg(ctx, db)
	return err
}

// close closes the store this process holds (okrbot serve opens its own).
func (s *orgStore) close() error {
	if s.db == nil {
		return nil
	}
	db := s.db
	s.db = nil
	return db.Close()
}

// kind names the store for the summary line.
func (s *orgStore) kind() string {
	if strings.HasPrefix(s.setting, "postgres") {
		return "postgres"
	}
	return "bolt"
}

// schemaOf is the schema a URL's search_path names, for progress lines.
func schemaOf(setting string) string {
	u, err := url.Parse(setting)
	if err != nil {
		return ""
	}
	return filepath.Base(u.Query().Get("search_path"))
}
