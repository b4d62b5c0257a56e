package bolt

import (
	"testing"

	"github.com/okrbot/okrbot/storage/storagetest"
)

func TestOwnsInCycle(t *testing.T) { storagetest.RunOwnsInCycle(t, openTest(t, Options{})) }
