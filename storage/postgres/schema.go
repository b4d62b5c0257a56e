package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, applied in order: migration i
// brings the schema to version i+1. A released migration is never changed;
// a change of schema is a new one at the end.
var migrations = []string{
	// 1: the records, their lookups, the outbox and the bot's state.
	`
CREATE TABLE workspaces (ws bytea PRIMARY KEY, body bytea NOT NULL);
CREATE TABLE seqs (ws bytea, kind text, n bigint NOT NULL, PRIMARY KEY (ws, kind));

CREATE TABLE users (
	ws bytea, id bigint, body bytea NOT NULL,
	accounts bytea[] NOT NULL, name_fold bytea, email_fold bytea, role bytea,
	PRIMARY KEY (ws, id));
CREATE INDEX users_accounts ON users USING gin (accounts);
CREATE INDEX users_name ON users (ws, name_fold, id) WHERE name_fold IS NOT NULL;
CREATE INDEX users_email ON users (ws, email_fold, id) WHERE email_fold IS NOT NULL;
CREATE INDEX users_role ON users (ws, role, id) WHERE role IS NOT NULL;

CREATE TABLE teams (
	ws bytea, id bigint, body bytea NOT NULL, name_fold bytea, members bigint[] NOT NULL,
	PRIMARY KEY (ws, id));
CREATE INDEX teams_name ON teams (ws, name_fold, id) WHERE name_fold IS NOT NULL;
CREATE INDEX teams_members ON teams USING gin (members);

CREATE TABLE cycles (ws bytea, id bigint, body bytea NOT NULL, PRIMARY KEY (ws, id));

CREATE TABLE objectives (
	ws bytea, id bigint, body bytea NOT NULL, cycle bigint NOT NULL,
	owner_kind bytea, owner_id bigint, parent_kind bytea, parent_id bigint,
	PRIMARY KEY (ws, id));
CREATE INDEX objectives_cycle ON objectives (ws, cycle, id);
CREATE INDEX objectives_owner ON objectives (ws, owner_kind, owner_id, cycle, id) WHERE owner_id IS NOT NULL;
CREATE INDEX objectives_parent ON objectives (ws, parent_kind, parent_id, id) WHERE parent_id IS NOT NULL;

CREATE TABLE key_results (
	ws bytea, id bigint, body bytea NOT NULL, objective bigint NOT NULL, cycle bigint NOT NULL,
	owner_kind bytea, owner_id bigint,
	PRIMARY KEY (ws, id));
CREATE INDEX key_results_objective ON key_results (ws, objective, id);
CREATE INDEX key_results_cycle ON key_results (ws, cycle, id);
CREATE INDEX key_results_owner ON key_results (ws, owner_kind, owner_id, cycle, id) WHERE owner_id IS NOT NULL;

CREATE TABLE kpis (
	ws bytea, id bigint, body bytea NOT NULL, owner_kind bytea, owner_id bigint,
	PRIMARY KEY (ws, id));
CREATE INDEX kpis_owner ON kpis (ws, owner_kind, owner_id, id) WHERE owner_id IS NOT NULL;

CREATE TABLE initiatives (
	ws bytea, id bigint, body bytea NOT NULL, key_result bigint NOT NULL, owner_id bigint,
	PRIMARY KEY (ws, id));
CREATE INDEX initiatives_kr ON initiatives (ws, key_result, id);
CREATE INDEX initiatives_owner ON initiatives (ws, owner_id, id) WHERE owner_id IS NOT NULL;

CREATE TABLE check_ins (
	ws bytea, id bigint, body bytea NOT NULL,
	target bytea NOT NULL, target_id bigint NOT NULL, author bigint NOT NULL, at_ns bigint NOT NULL,
	PRIMARY KEY (ws, id));
CREATE INDEX check_ins_target ON check_ins (ws, target, target_id, at_ns, id);
CREATE INDEX check_ins_author ON check_ins (ws, author, at_ns, id);

CREATE TABLE outbox (
	ws bytea, id bigint, body bytea NOT NULL, key bytea NOT NULL,
	due_ns bigint NOT NULL, open boolean NOT NULL, created_ns bigint NOT NULL,
	PRIMARY KEY (ws, id), UNIQUE (ws, key));
CREATE INDEX outbox_due ON outbox (due_ns, ws, id) WHERE open;
CREATE INDEX outbox_created ON outbox (ws, created_ns) WHERE NOT open;

CREATE TABLE state (
	ws bytea, key bytea, value bytea NOT NULL, expires_ns bigint NOT NULL,
	PRIMARY KEY (ws, key));
CREATE INDEX state_expiry ON state (expires_ns) WHERE expires_ns <> 0;
`,
	// 2: the outbox lease (lease.go): which replica's dispatcher holds an
	// open item and until when. Outside the body, because it is the
	// dispatchers' coordination and not part of the item bbolt stores.
	`
ALTER TABLE outbox ADD COLUMN lease_owner bytea, ADD COLUMN lease_until_ns bigint NOT NULL DEFAULT 0;
`,
	// 3: the outbox's sender (leader.go): which replica's dispatcher paces
	// the deployment's sends, and until when.
	`
CREATE TABLE leaders (name bytea PRIMARY KEY, owner bytea NOT NULL, until_ns bigint NOT NULL);
`,
}

// SchemaVersion is the version of the schema this okrbot writes.
var SchemaVersion = len(migrations)

// lockKey is the advisory lock replicas take to migrate one at a time
// ("okrbot" in ASCII).
const lockKey = 0x6f6b72626f74

// migrate brings the schema up to date under an advisory lock held on one
// connection, so that replicas starting together migrate once: the others
// wait, then find it done. It refuses a schema newer than this okrbot's.
func migrate(ctx context.Context, pool *pgxpool.Pool) (from, to int, err error) {
	return migrateWith(ctx, pool, migrations)
}

func migrateWith(ctx context.Context, pool *pgxpool.Pool, migs []string) (from, to int, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(lockKey)); err != nil {
		return 0, 0, err
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(lockKey)); uerr != nil && err == nil {
			err = uerr
		}
	}()
	if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS okrbot_schema (version int NOT NULL)"); err != nil {
		return 0, 0, err
	}
	from, err = readVersion(ctx, conn.Conn())
	if err != nil {
		return 0, 0, err
	}
	if from > len(migs) {
		return from, from, fmt.Errorf("%w (schema version %d; this okrbot knows up to %d): upgrade okrbot", ErrNewerSchema, from, len(migs))
	}
	for v := from; v < len(migs); v++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migs[v]); err != nil {
				return fmt.Errorf("schema version %d: %w", v+1, err)
			}
			_, err := tx.Exec(ctx, "DELETE FROM okrbot_schema; INSERT INTO okrbot_schema VALUES ("+fmt.Sprint(v+1)+")")
			return err
		})
		if err != nil {
			return from, v, err
		}
	}
	return from, len(migs), nil
}

func readVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var v int
	err := conn.QueryRow(ctx, "SELECT version FROM okrbot_schema").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return v, err
}
