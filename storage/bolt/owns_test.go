package bolt

import (
	"testing"

	"github.com/okrbot/okrbot/storage/storagetest"
	"github.com/okrbot/okrbot/storage/storagetest/treetest"
)

func TestOwnsInCycle(t *testing.T) { storagetest.RunOwnsInCycle(t, openTest(t, Options{})) }

func TestSlices(t *testing.T) { storagetest.RunSlices(t, openTest(t, Options{})) }

func TestRootObjectives(t *testing.T) { treetest.Run(t, openTest(t, Options{})) }
