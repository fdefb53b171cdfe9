package kconfig

import (
	"slices"
	"testing"
)

func summaries(x *Explanation) []string {
	var out []string
	for _, c := range x.Causes {
		out = append(out, c.Summary(0))
	}
	return out
}

func TestExplainByNameChains(t *testing.T) {
	tests := []struct {
		name      string
		fragment  string
		config    string
		summaries []string
	}{
		{"prefix parent", "CONFIG_NF_CONNTRACK=y\nCONFIG_NF_CONNTRACK_MARK=y\nCONFIG_NF_CONNTRACK_ZONES=y\n", "# CONFIG_NF_CONNTRACK is not set\n",
			[]string{"CONFIG_NF_CONNTRACK is not set — probably hides NF_CONNTRACK_MARK, NF_CONNTRACK_ZONES (judged by name)"}},
		{"the longest parent", "CONFIG_NET=y\nCONFIG_NET_CLS=y\nCONFIG_NET_CLS_BPF=y\n", "# CONFIG_NET is not set\n",
			[]string{"CONFIG_NET is not set — probably hides NET_CLS, NET_CLS_BPF (judged by name)"}},
		{"a present parent is no root", "CONFIG_IPV6=y\nCONFIG_IPV6_GRE=y\n", "CONFIG_IPV6=y\n",
			[]string{"absent (a dependency is off; --kernel-src names it): IPV6_GRE"}},
		{"a parent that is only =m", "CONFIG_NF_TABLES=y\nCONFIG_NF_TABLES_INET=y\n", "CONFIG_NF_TABLES=m\n",
			[]string{"CONFIG_NF_TABLES=m — probably hides NF_TABLES_INET (judged by name)"}},
		{"no name relation", "CONFIG_MODULES=y\nCONFIG_MODVERSIONS=y\n", "# CONFIG_MODULES is not set\n",
			[]string{"not set: MODULES", "absent (a dependency is off; --kernel-src names it): MODVERSIONS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, tt.config)
			x := ExplainByName(Compare(cfg, setOf(t, "config", tt.fragment)))
			if got := summaries(x); !slices.Equal(got, tt.summaries) {
				t.Errorf("got %q\nwant %q", got, tt.summaries)
			}
		})
	}
}
