// Package document writes okrbot's own export of a workspace, the Document
// of package transfer, from a store: records in a stable order, one a
// line, so that the same data always gives the same bytes (the format is
// transfer/FORMAT.md). It is apart from transfer, which reads it back and
// imports it, because nothing of an import's planning is needed to write
// one.
package document

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// progressEvery is how many records pass between two progress reports.
const progressEvery = 5000

// Format and Version identify okrbot's export; a reader refuses a newer
// version rather than half read it.
const (
	Format  = "okrbot-export"
	Version = 1
)

// Write writes the Document of workspace ws to w: every record, or with
// cycle set (a cycle's name) that cycle, its objectives, key results,
// their initiatives and check-ins, and every person and team, who may own
// or have written them (see transfer/FORMAT.md). It reads one read transaction, a
// consistent snapshot that does not hold writers up, and streams, holding
// one history at a time. progress, when set, is told how many records
// are written every so often, and with total set (to the same) at the end.
func Write(ctx context.Context, s okrcore.Store, ws, cycle string, w io.Writer, progress func(done, total int)) error {
	return s.View(ctx, func(tx okrcore.Tx) error {
		e := &encoder{w: bufio.NewWriterSize(w, 64<<10), progress: progress}
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
		if err := exportTx(ctx, tx, ws, cycle, e); err != nil {
			return err
		}
		if err := e.w.Flush(); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		return nil
	})
}

// encoder writes a Document one record per line.
type encoder struct {
	w        *bufio.Writer
	buf      bytes.Buffer
	enc      *json.Encoder
	first    bool // no record of the open list written yet
	done     int
	progress func(done, total int)
	err      error
}

func (e *encoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// value writes v as okrcore's JSON tags say, without the encoder's newline.
func (e *encoder) value(v any) {
	if e.err != nil {
		return
	}
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		e.err = fmt.Errorf("encode %T: %w", v, err)
		return
	}
	_, e.err = e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
}

func (e *encoder) open(name string) {
	e.raw(",\n\"" + name + "\":[")
	e.first = true
}

func (e *encoder) record(v any) {
	if e.first {
		e.raw("\n")
		e.first = false
	} else {
		e.raw(",\n")
	}
	e.value(v)
	e.done++
	if e.progress != nil && e.done%progressEvery == 0 {
		e.progress(e.done, 0)
	}
}

func (e *encoder) close() { e.raw("\n]") }

func list[T any](e *encoder, name string, recs []*T) {
	e.open(name)
	for _, r := range recs {
		e.record(r)
	}
	e.close()
}

func byID[T any](recs []*T, id func(*T) okrcore.ID) []*T {
	slices.SortFunc(recs, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	return recs
}

// exportTx writes the document in the order transfer/FORMAT.md gives.
func exportTx(ctx context.Context, tx okrcore.Tx, ws, cycle string, e *encoder) error {
	w, err := tx.Workspace(ws)
	if err != nil {
		return err
	}
	cycles, err := tx.Cycles(ws)
	if err != nil {
		return fmt.Errorf("load cycles: %w", err)
	}
	byID(cycles, func(c *okrcore.Cycle) okrcore.ID { return c.ID })
	if cycle != "" {
		i := slices.IndexFunc(cycles, func(c *okrcore.Cycle) bool {
			return strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(cycle))
		})
		if i < 0 {
			return okrcore.Errorf(okrcore.KindNotFound, "There is no cycle called %q in workspace %s.", cycle, ws)
		}
		cycles = cycles[i : i+1]
	}
	people, err := tx.Users(ws)
	if err != nil {
		return fmt.Errorf("load people: %w", err)
	}
	teams, err := tx.Teams(ws)
	if err != nil {
		return fmt.Errorf("load teams: %w", err)
	}
	var objs []*okrcore.Objective
	var krs []*okrcore.KeyResult
	for _, c := range cycles {
		o, err := tx.ObjectivesByCycle(ws, c.ID)
		if err != nil {
			return fmt.Errorf("load objectives: %w", err)
		}
		k, err := tx.KeyResultsByCycle(ws, c.ID)
		if err != nil {
			return fmt.Errorf("load key results: %w", err)
		}
		objs, krs = append(objs, o...), append(krs, k...)
	}
	var kpis []*okrcore.KPI
	if cycle == "" {
		if kpis, err = tx.KPIs(ws); err != nil {
			return fmt.Errorf("load kpis: %w", err)
		}
	}
	byID(krs, func(k *okrcore.KeyResult) okrcore.ID { return k.ID })
	var inits []*okrcore.Initiative
	for _, k := range krs {
		in, err := tx.InitiativesByKeyResult(ws, k.ID)
		if err != nil {
			return fmt.Errorf("load initiatives: %w", err)
		}
		inits = append(inits, in...)
	}

	e.raw(fmt.Sprintf("{\"format\":%q,\"version\":%d,\n\"workspace\":", Format, Version))
	e.value(w)
	if cycle != "" {
		e.raw(",\n\"cycle\":")
		e.value(cycles[0].Name)
	}
	list(e, "people", byID(people, func(u *okrcore.User) okrcore.ID { return u.ID }))
	list(e, "teams", byID(teams, func(t *okrcore.Team) okrcore.ID { return t.ID }))
	list(e, "cycles", cycles)
	list(e, "objectives", byID(objs, func(o *okrcore.Objective) okrcore.ID { return o.ID }))
	list(e, "key_results", krs)
	list(e, "kpis", byID(kpis, func(k *okrcore.KPI) okrcore.ID { return k.ID }))
	list(e, "initiatives", byID(inits, func(i *okrcore.Initiative) okrcore.ID { return i.ID }))
	e.open("check_ins")
	for _, k := range krs {
		if err := history(ctx, tx, e, ws, okrcore.TargetKR, k.ID); err != nil {
			return err
		}
	}
	for _, k := range kpis {
		if err := history(ctx, tx, e, ws, okrcore.TargetKPI, k.ID); err != nil {
			return err
		}
	}
	e.close()
	e.raw("}\n")
	if e.err != nil {
		return fmt.Errorf("write export: %w", e.err)
	}
	if e.progress != nil {
		e.progress(e.done, e.done)
	}
	return nil
}

// history writes the check-ins of one key result or KPI by id.
func history(ctx context.Context, tx okrcore.Tx, e *encoder, ws string, kind okrcore.TargetKind, id okrcore.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cis, err := tx.CheckIns(ws, kind, id, time.Time{}, 0)
	if err != nil {
		return fmt.Errorf("load check-ins: %w", err)
	}
	for _, c := range byID(cis, func(c *okrcore.CheckIn) okrcore.ID { return c.ID }) {
		e.record(c)
	}
	if e.err != nil {
		return fmt.Errorf("write export: %w", e.err)
	}
	return nil
}
