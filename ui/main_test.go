package ui

import (
	"os"
	"testing"

	"ossq/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, 0)) }
