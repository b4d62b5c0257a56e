// Package fileheader checks a bbolt file's header and first pages with
// plain reads, before bbolt maps the file and trusts them.
package fileheader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt maps the file into memory and trusts what it finds there: a file
// cut short or with a spoilt header makes it panic or fault (SIGSEGV,
// SIGBUS) on the first page it reads past the end, and a fault cannot be
// recovered. So before bbolt opens a file, Check reads the pages
// bbolt reads first with plain reads, and refuses what would take bbolt
// past the end of the file or to a page that is not what the header says.
//
// The layout is bbolt's file format version 2 (go.etcd.io/bbolt
// internal/common: page.go, meta.go): every page starts with a 16-byte
// header (id u64, flags u16, count u16, overflow u32); pages 0 and 1 are
// meta pages, each a page header and then magic u32, version u32, page
// size u32, flags u32, the root bucket (root page u64, sequence u64), the
// freelist page u64, the high-water mark pgid u64 (how many pages are in
// use), txid u64 and an FNV-64a checksum of the 56 bytes before it. bbolt
// writes the two meta pages in turn (txid even on page 0, odd on page 1),
// uses the one of higher txid that is valid and falls back to the other:
// one spoilt meta page is a torn write, not damage. Integers are in the
// machine's byte order, as bbolt writes them.
const (
	pageHeaderSize         = 16
	metaSize               = 64
	metaChecksummed        = 56
	boltMagic       uint32 = 0xED0CDAED
	boltVersion     uint32 = 2
	noFreelist             = ^uint64(0)
	pageBranch             = 0x01
	pageLeaf               = 0x02
	pageFreelist           = 0x10
	// bbolt looks for meta page 1 at 1 KiB << i, for i up to 14.
	minPageSize = 1 << 10
	maxPageSize = 1 << 24
)

// ErrDamaged is matched (errors.Is) by Check's error (and storage/bolt's
// Open, CheckFile and Locked) for a file bbolt cannot safely read: cut short, both header
// (meta) pages spoilt, its first pages not what the header says, or a
// panic of bbolt while opening it. The error is a *DamagedError.
var ErrDamaged = errors.New("database file is damaged")

// ErrEmpty is matched by Check's error for a file of 0 bytes: it holds no
// database.
var ErrEmpty = errors.New("database file is empty")

// DamagedError says which file is damaged and why, in words.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string        { return e.Path + " is damaged: " + e.Reason }
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// meta is one meta page, and why it is not valid (nil when it is).
type meta struct {
	pageSize                   uint32
	root, freelist, pgid, txid uint64
	invalid                    error
}

// readMeta reads the meta page at off; a page that cannot be read whole
// is invalid.
func readMeta(r io.ReaderAt, off int64) meta {
	var b [pageHeaderSize + metaSize]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return meta{invalid: errors.New("it cannot be read whole")}
	}
	m := b[pageHeaderSize:]
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:metaChecksummed])
	out := meta{pageSize: ne.Uint32(m[8:]), root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]),
		pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}
	switch {
	case ne.Uint32(m[0:]) != boltMagic:
		out.invalid = errors.New("no bbolt header")
	case ne.Uint32(m[4:]) != boltVersion:
		out.invalid = fmt.Errorf("bbolt format version %d, not %d", ne.Uint32(m[4:]), boltVersion)
	case ne.Uint64(m[metaChecksummed:]) != h.Sum64():
		out.invalid = errors.New("its checksum does not match")
	case out.pageSize < minPageSize || out.pageSize > maxPageSize:
		out.invalid = fmt.Errorf("page size %d", out.pageSize)
	}
	return out
}

// Check checks the file at path before bbolt maps it (see the top of
// this file). It returns nil for a file bbolt can open, an error matching
// ErrEmpty for a file of 0 bytes, a *DamagedError, or the error of reading
// the file.
func Check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size == 0 {
		return fmt.Errorf("%s: %w", path, ErrEmpty)
	}
	damaged := func(format string, args ...any) error {
		return &DamagedError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	// Meta page 0 gives the page size, and so where meta page 1 is; when
	// it is spoilt, meta page 1 is looked for where bbolt looks.
	m0 := readMeta(f, 0)
	ps := int64(0)
	if m0.invalid == nil {
		ps = int64(m0.pageSize)
	} else {
		for pos := int64(minPageSize); pos <= maxPageSize && pos < size; pos <<= 1 {
			if m := readMeta(f, pos); m.invalid == nil && int64(m.pageSize) == pos {
				ps = pos
				break
			}
		}
	}
	if ps == 0 {
		return damaged("neither of its two header pages is valid (%s): it is not an okrbot database, or both copies of its header are spoilt", m0.invalid)
	}
	if size < 2*ps {
		return damaged("it is %d bytes, shorter than its two header pages of %d bytes: it was cut short", size, ps)
	}
	m1 := readMeta(f, ps)
	if m0.invalid != nil && m1.invalid != nil {
		return damaged("neither of its two header pages is valid (%s): it is not an okrbot database, or both copies of its header are spoilt", m1.invalid)
	}
	// The meta page bbolt will use: the one of higher txid if it is
	// valid, the other one otherwise.
	use, other := m0, m1
	if m1.txid > m0.txid {
		use, other = m1, m0
	}
	if use.invalid != nil {
		use = other
	}
	if int64(use.pageSize) != ps {
		return damaged("its two header pages disagree on the page size (%d and %d bytes)", ps, use.pageSize)
	}
	return checkPages(f, use, size, damaged)
}

// checkPages checks the meta page bbolt will use against the file's size,
// and the page headers of the root and freelist pages it names: bbolt
// reads them as it opens the file.
func checkPages(f io.ReaderAt, m meta, size int64, damaged func(string, ...any) error) error {
	ps := uint64(m.pageSize)
	if m.pgid < 2 || m.pgid > uint64(size)/ps {
		return damaged("its header says it holds %d pages of %d bytes (%d bytes), but the file is %d bytes: it was cut short", m.pgid, ps, m.pgid*ps, size)
	}
	if m.root < 2 || m.root >= m.pgid {
		return damaged("its header names page %d as the root, outside its %d pages", m.root, m.pgid)
	}
	if err := checkPage(f, m, m.root, "the root", damaged); err != nil {
		return err
	}
	if m.freelist == noFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return damaged("its header names page %d as the freelist, outside its %d pages", m.freelist, m.pgid)
	}
	return checkPage(f, m, m.freelist, "the freelist", damaged)
}

// checkPage checks the header of page id, which the meta page names as
// role: it says it is that page, it is of the kind role needs, it ends
// within the pages in use, and a freelist's count fits in it.
func checkPage(f io.ReaderAt, m meta, id uint64, role string, damaged func(string, ...any) error) error {
	ps := uint64(m.pageSize)
	var b [pageHeaderSize + 8]byte
	if _, err := f.ReadAt(b[:], int64(id*ps)); err != nil {
		return damaged("page %d, %s, cannot be read: %v", id, role, err)
	}
	ne := binary.NativeEndian
	self, flags, count, overflow := ne.Uint64(b[0:]), ne.Uint16(b[8:]), uint64(ne.Uint16(b[10:])), uint64(ne.Uint32(b[12:]))
	if self != id {
		return damaged("page %d, %s, says it is page %d", id, role, self)
	}
	if id+overflow+1 > m.pgid {
		return damaged("page %d, %s, runs %d pages past the last page in use", id, role, id+overflow+1-m.pgid)
	}
	if role != "the freelist" {
		if flags != pageBranch && flags != pageLeaf {
			return damaged("page %d, the root, is neither a branch nor a leaf page (flags %#x)", id, flags)
		}
		return nil
	}
	if flags != pageFreelist {
		return damaged("page %d, the freelist, is not a freelist page (flags %#x)", id, flags)
	}
	start := uint64(pageHeaderSize)
	if count == 0xFFFF {
		// A long freelist keeps its count in its first element.
		count, start = ne.Uint64(b[pageHeaderSize:]), start+8
	}
	if room := ((overflow+1)*ps - start) / 8; count > room {
		return damaged("page %d, the freelist, says it lists %d pages, more than the %d that fit in it", id, count, room)
	}
	// A free page that is a meta page or past the end would be written
	// over, or past the file, by the next commit.
	ids := make([]byte, count*8)
	if _, err := f.ReadAt(ids, int64(id*ps+start)); err != nil {
		return damaged("page %d, the freelist, cannot be read: %v", id, err)
	}
	for i := 0; i < len(ids); i += 8 {
		if free := ne.Uint64(ids[i:]); free < 2 || free >= m.pgid {
			return damaged("page %d, the freelist, lists page %d as free, outside the %d pages in use", id, free, m.pgid)
		}
	}
	return nil
}
