package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
)

func newListCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every check: its ID, area and what it looks at",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAREA\tLOOKS AT")
			for _, c := range checks.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Area, c.Looks)
			}
			return tw.Flush()
		},
	}
}
