// Command filtergen turns routing-registry data into router configuration.
// See the README for a tour; the commands live in internal/cli.
package main

import (
	"os"

	"github.com/filtergen/filtergen/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
