package rpki

import (
	"testing"

	"go.uber.org/goleak"
)

// Every client and fake-cache test must leave no goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
