package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jianfu/detect"
)

func newRulesCmd() *cobra.Command {
	var rulesDir string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "查看和测试检测规则",
		Long: `检测规则是版本化的 YAML 文件,内置于程序中;--rules DIR 追加或按 id 覆盖规则,无需重新编译。
规则文件格式见 docs/detector.md。`,
	}
	cmd.PersistentFlags().StringVar(&rulesDir, "rules", "", "规则目录:其中的 *.yaml 追加或按 id 覆盖内置规则")
	cmd.SetFlagErrorFunc(flagUsageError)

	list := &cobra.Command{
		Use:   "list",
		Short: "列出全部规则",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			d, err := loadDetector(rulesDir)
			if err != nil {
				return err
			}
			return listRules(c.OutOrStdout(), d)
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "显示一条规则:模式、条件、所依据的条款和示例",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := loadDetector(rulesDir)
			if err != nil {
				return err
			}
			r, ok := d.Rule(args[0])
			if !ok {
				return usageError{msg: fmt.Sprintf("没有 id 为 %q 的规则;用 jianfu rules list 查看全部规则", args[0])}
			}
			showRule(c.OutOrStdout(), r)
			return nil
		},
	}
	test := &cobra.Command{
		Use:   "test",
		Short: "运行每条规则的示例(应命中 / 不应命中),有失败时退出码为 1",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			d, err := loadDetector(rulesDir)
			if err != nil {
				return err
			}
			return testRules(c.OutOrStdout(), d)
		},
	}
	for _, sub := range []*cobra.Command{list, show, test} {
		sub.SetFlagErrorFunc(flagUsageError)
		cmd.AddCommand(sub)
	}
	return cmd
}

func listRules(w io.Writer, d *detect.Detector) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "规则\t类别\t权重\t说明\t来源文件")
	for _, r := range d.Rules() {
		fmt.Fprintf(tw, "%s\t%s(%s)\t%.1f\t%s\t%s\n", r.ID, r.Category.Label(), r.Category, r.Weight, r.Title, r.File)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "共 %d 条规则。\n", len(d.Rules()))
	return err
}

func showRule(w io.Writer, r detect.Rule) {
	fmt.Fprintf(w, "%s  %s\n类别:%s(%s)  权重:%.1f  需要的要求语气:%s\n来源:%s\n", r.ID, r.Title, r.Category.Label(), r.Category, r.Weight, r.Demand, r.File)
	fmt.Fprintf(w, "依据:%s“%s”\n", r.Clause.Source, r.Clause.Text)
	fmt.Fprintf(w, "模式:%s\n", strings.Join(r.Patterns, "、"))
	for _, c := range r.Near {
		fmt.Fprintf(w, "须同时出现:%s\n", strings.Join(c.Words, "、"))
	}
	for _, c := range r.Unless {
		fmt.Fprintf(w, "出现即排除:%s\n", strings.Join(c.Words, "、"))
	}
	if len(r.NotOverlapping) > 0 {
		fmt.Fprintf(w, "其他词义(重叠即排除):%s\n", strings.Join(r.NotOverlapping, "、"))
	}
	for _, e := range r.Examples.Match {
		fmt.Fprintf(w, "  应命中:%s\n", e)
	}
	for _, e := range r.Examples.NoMatch {
		fmt.Fprintf(w, "  不应命中:%s\n", e)
	}
}

func testRules(w io.Writer, d *detect.Detector) error {
	rules := d.Rules()
	n := 0
	for _, r := range rules {
		n += len(r.Examples.Match) + len(r.Examples.NoMatch)
	}
	fails := d.TestExamples()
	for _, f := range fails {
		fmt.Fprintf(w, "失败 %s:%s —— %s\n", f.Rule, f.Text, f.Message)
	}
	fmt.Fprintf(w, "%d 条规则,%d 个示例,%d 个失败。\n", len(rules), n, len(fails))
	if len(fails) > 0 {
		return fmt.Errorf("%d 个规则示例未通过", len(fails))
	}
	return nil
}
