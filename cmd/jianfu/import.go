package main

import "github.com/spf13/cobra"

// Placeholder until the importers land.
func newImportCmd() *cobra.Command { return &cobra.Command{Use: "import", Hidden: true} }
