package main

import "github.com/spf13/cobra"

// Placeholder until the detector lands.
func newScanCmd() *cobra.Command { return &cobra.Command{Use: "scan", Hidden: true} }
