package postgres_test

import (
	"testing"

	"github.com/okrbot/okrbot/storage/storagetest"
	"github.com/okrbot/okrbot/storage/storagetest/treetest"
)

func TestOwnsInCycle(t *testing.T) { storagetest.RunOwnsInCycle(t, open(t)) }

func TestSlices(t *testing.T) { storagetest.RunSlices(t, open(t)) }

func TestRootObjectives(t *testing.T) { treetest.Run(t, open(t)) }
