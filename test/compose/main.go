// Reads docker-compose.yml and the Dockerfiles it builds the way Docker itself does, so both are
// checked without a Docker engine: compose-go (the loader of `docker compose`) for the compose file,
// and BuildKit's Dockerfile parser, its instruction parser and its .dockerignore matcher for the
// builds. It prints what it read as JSON; dockerCompose.test.ts asserts on it.
//
//	compose-check docker-compose.yml [path-to-probe-against-.dockerignore ...]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type command struct {
	Instruction string   `json:"instruction"`
	Text        string   `json:"text"`
	User        string   `json:"user,omitempty"`
	From        string   `json:"from,omitempty"`
	Sources     []string `json:"sources,omitempty"`
	Dest        string   `json:"dest,omitempty"`
	Args        []string `json:"args,omitempty"`
}

type stage struct {
	Name     string    `json:"name"`
	Base     string    `json:"base"`
	Commands []command `json:"commands"`
}

type dockerfile struct {
	Stages []stage `json:"stages"`
	// Build-check warnings BuildKit raises while parsing.
	Warnings []string `json:"warnings"`
	// For each probed path: true when .dockerignore keeps it out of the build context.
	Ignored map[string]bool `json:"ignored"`
}

type report struct {
	Services    json.RawMessage        `json:"services"`
	Dockerfiles map[string]*dockerfile `json:"dockerfiles"`
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: compose-check docker-compose.yml [probe-path ...]"))
	}
	opts, err := cli.NewProjectOptions(os.Args[1:2], cli.WithOsEnv, cli.WithName("check"))
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	services, err := json.Marshal(project.Services)
	if err != nil {
		fail(err)
	}
	out := report{Services: services, Dockerfiles: map[string]*dockerfile{}}
	for _, service := range project.Services {
		if service.Build == nil || service.Build.DockerfileInline != "" {
			continue
		}
		path := service.Build.Dockerfile
		if !filepath.IsAbs(path) {
			path = filepath.Join(service.Build.Context, path)
		}
		if _, done := out.Dockerfiles[path]; done {
			continue
		}
		parsed, err := readDockerfile(path, service.Build.Context, os.Args[2:])
		if err != nil {
			fail(fmt.Errorf("service %s: %w", service.Name, err))
		}
		out.Dockerfiles[path] = parsed
	}
	encoded, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(encoded))
}

func readDockerfile(path, contextDir string, probes []string) (*dockerfile, error) {
	source, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ast, err := parser.Parse(bytes.NewReader(source))
	if err != nil {
		return nil, err
	}
	result := &dockerfile{Warnings: []string{}, Ignored: map[string]bool{}}
	lint := linter.New(&linter.Config{Warn: func(rule, description, url, message string, location []parser.Range) {
		result.Warnings = append(result.Warnings, fmt.Sprintf("%s: %s", rule, message))
	}})
	stages, metaArgs, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		return nil, err
	}
	// FROM may name its image through an ARG declared before the first stage.
	var args []string
	for _, arg := range metaArgs {
		for _, pair := range arg.Args {
			if pair.Value != nil {
				args = append(args, pair.Key+"="+*pair.Value)
			}
		}
	}
	lex := shell.NewLex(ast.EscapeToken)
	for _, s := range stages {
		base, _, err := lex.ProcessWord(s.BaseName, shell.EnvsFromSlice(args))
		if err != nil {
			return nil, err
		}
		parsed := stage{Name: s.Name, Base: base, Commands: []command{}}
		for _, c := range s.Commands {
			entry := command{Instruction: strings.ToUpper(c.Name()), Text: fmt.Sprint(c)}
			switch typed := c.(type) {
			case *instructions.UserCommand:
				entry.User = typed.User
			case *instructions.CopyCommand:
				entry.From, entry.Sources, entry.Dest = typed.From, typed.SourcePaths, typed.DestPath
			case *instructions.RunCommand:
				entry.Args = typed.CmdLine
			case *instructions.CmdCommand:
				entry.Args = typed.CmdLine
			}
			parsed.Commands = append(parsed.Commands, entry)
		}
		result.Stages = append(result.Stages, parsed)
	}

	// BuildKit reads <Dockerfile>.dockerignore when it exists, else the context's .dockerignore.
	var patterns []string
	for _, candidate := range []string{path + ".dockerignore", filepath.Join(contextDir, ".dockerignore")} {
		file, err := os.Open(candidate)
		if err != nil {
			continue
		}
		patterns, err = ignorefile.ReadAll(file)
		file.Close()
		if err != nil {
			return nil, err
		}
		break
	}
	matcher, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, err
	}
	for _, probe := range probes {
		ignored, err := matcher.MatchesOrParentMatches(filepath.ToSlash(probe))
		if err != nil {
			return nil, err
		}
		result.Ignored[probe] = ignored
	}
	return result, nil
}

func fail(err error) {
	fmt.Println(err)
	os.Exit(1)
}
