package transfer

import (
	"fmt"
	"unicode/utf8"
)

// arena holds many short strings (a million check-ins' notes) as bytes in
// a few large blocks, addressed by text: the collector neither marks
// them one by one nor scans the records that refer to them, which hold
// no pointer. Blocks are of a fixed size rather than one growing slice,
// so that growing never holds the old copy and the new at once.
type arena struct {
	blocks [][]byte
}

// arenaBlock is the size of a block, and the most a string may take.
const arenaBlock = 1 << 20

// text is a string of an arena: n bytes from off, counted across blocks.
type text struct{ off, n uint32 }

// add keeps s, shortened at a character to arenaBlock bytes, and says
// where. It fails only past 4 GiB, which text cannot address.
func (a *arena) add(s string) (text, error) {
	if s == "" {
		return text{}, nil
	}
	if len(s) > arenaBlock {
		n := arenaBlock
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	if len(a.blocks) == 0 || len(a.blocks[len(a.blocks)-1])+len(s) > arenaBlock {
		if len(a.blocks) == 1<<32/arenaBlock {
			return text{}, fmt.Errorf("the check-ins' notes take more than %d GiB", 1<<32>>30)
		}
		a.blocks = append(a.blocks, make([]byte, 0, arenaBlock))
	}
	i := len(a.blocks) - 1
	b := a.blocks[i]
	t := text{off: uint32(i*arenaBlock + len(b)), n: uint32(len(s))}
	a.blocks[i] = append(b, s...)
	return t, nil
}

// get is the string t addresses.
func (a *arena) get(t text) string {
	if t.n == 0 {
		return ""
	}
	b := a.blocks[t.off/arenaBlock]
	at := t.off % arenaBlock
	return string(b[at : at+t.n])
}
