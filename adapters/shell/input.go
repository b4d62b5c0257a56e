package shell

import (
	"bufio"
	"errors"
	"io"
)

// MaxLine is the longest line the shell reads, 1 MiB. A longer one is
// refused with a message and the chat goes on.
const MaxLine = 1 << 20

// line is one line of input, or the length of one refused as too long.
type line struct {
	text string
	over int // bytes of a line longer than the limit; text is then empty
}

// readLines reads r line by line (without the line ending, as
// bufio.ScanLines has it) and hands each to emit until r ends (nil) or
// fails, or emit returns false (nil). A line longer than max bytes is
// read to its end and handed on as its length only.
func readLines(r io.Reader, max int, emit func(line) bool) error {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		var buf []byte
		over := 0
		for {
			chunk, more, err := br.ReadLine()
			if err != nil {
				if errors.Is(err, io.EOF) {
					if over > 0 {
						emit(line{over: over})
					} else if len(buf) > 0 {
						emit(line{text: string(buf)})
					}
					return nil
				}
				return err
			}
			switch {
			case over > 0:
				over += len(chunk)
			case len(buf)+len(chunk) > max:
				over = len(buf) + len(chunk)
				buf = nil
			default:
				buf = append(buf, chunk...)
			}
			if !more {
				break
			}
		}
		l := line{text: string(buf)}
		if over > 0 {
			l = line{over: over}
		}
		if !emit(l) {
			return nil
		}
	}
}
