// Loads docker-compose.yml with compose-go, the library `docker compose` itself uses, so the file is
// validated (schema, interpolation, references) without a Docker engine.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	opts, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithName("check"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Printf("ok: %d services\n", len(project.Services))
}
