// Command jianfu is the one binary of the jianfu platform: the web server,
// the demo, the message scanner, importers, migrations and maintenance tools.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "错误:", err)
		os.Exit(exitCode(err))
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "jianfu",
		Short:         "jianfu(减负):防治“指尖上的形式主义”的监管平台",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Sprintf("%v(查看用法:jianfu %s --help)", err, cmd.Name())}
	})
	root.AddCommand(newDemoCmd(), newServeCmd(), newMigrateCmd(), newUserCmd(), newAuditCmd(), newBackupCmd(), newScanCmd(), newRulesCmd(), newImportCmd(), newWorkerCmd(), newExportCmd(), newCalendarCmd(), newReportCmd(), newRollupCmd())
	holidaysFlag(root)
	return root
}

// exitCode maps an error to the process exit status: 2 for bad usage, 1 otherwise.
func exitCode(err error) int {
	if _, ok := err.(usageError); ok {
		return 2
	}
	if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown shorthand flag") {
		return 2
	}
	return 1
}

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
