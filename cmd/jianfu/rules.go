package main

import "github.com/spf13/cobra"

// Placeholder until the detector lands.
func newRulesCmd() *cobra.Command { return &cobra.Command{Use: "rules", Hidden: true} }
