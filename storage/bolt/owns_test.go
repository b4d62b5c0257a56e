package bolt

import (
	"testing"

	"github.com/okrbot/okrbot/storage/storagetest"
)

func TestOwnsInCycle(t *testing.T) { storagetest.RunOwnsInCycle(t, openTest(t, Options{})) }

func TestSlices(t *testing.T) { storagetest.RunSlices(t, openTest(t, Options{})) }
