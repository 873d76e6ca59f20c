package cli

import (
	"github.com/spf13/cobra"

	"github.com/filtergen/filtergen/filtergen/policyschema"
)

func newCmdPolicy(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Describe the policy file format",
		Long: `Policy describes the policy file format. The reference of every key, its
type, default, allowed values and an example is docs/policy.md.`,
		Example: `  # The JSON Schema of the policy file, for an editor
  filtergen policy schema > policy.schema.json`,
		Args: cobra.ArbitraryArgs,
		RunE: unknownSubcommand,
	}
	cmd.AddCommand(newCmdPolicySchema(f, nil))
	return cmd
}

// newCmdPolicySchema builds "policy schema"; runF, when set, replaces
// printing the schema (tests).
func newCmdPolicySchema(f *factory, runF func() error) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the policy file",
		Long: `Schema prints the JSON Schema (draft 2020-12) of the policy file on stdout:
every key with its type, allowed values, default, description and an
example, and no key that filtergen does not read. Point an editor at it to
have policy files checked and completed as you type; the YAML language
server (VS Code's YAML extension, Neovim, Helix, Zed) reads a modeline on
the file's first line. filtergen itself stays the authority: compile and
explain check more than a schema can (names that must exist, unique names,
per-platform interface names).`,
		Example: `  # Save the schema, then name it on the policy's first line
  filtergen policy schema > policy.schema.json
  # yaml-language-server: $schema=policy.schema.json

  # Check a policy in CI with any JSON Schema validator
  filtergen policy schema > /tmp/policy.schema.json
  check-jsonschema --schemafile /tmp/policy.schema.json filtergen.yaml`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF()
			}
			js, err := policyschema.JSON()
			if err != nil {
				return err
			}
			_, err = f.Out.Write(js)
			return err
		},
	}
}
