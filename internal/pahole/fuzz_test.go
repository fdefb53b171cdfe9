package pahole

import (
	"slices"
	"strings"
	"testing"
)

// maxErr bounds an error message: it may quote the input, but clipped.
const maxErr = 512

// FuzzParseSupportedBTFFeatures: a list read is non-empty, every name is a
// feature name, and the list joined with commas reads back the same.
func FuzzParseSupportedBTFFeatures(f *testing.F) {
	for _, s := range []string{
		"encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func,decl_tag_kfuncs,reproducible_build,distilled_base,global_var\n",
		"var,,float", ",", "", "\n", "a\nb", "pahole: unrecognized option '--supported_btf_features'\nUsage: pahole [OPTION...] FILE\n", "Var", "a b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		feats, err := ParseSupportedBTFFeatures(out)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if len(feats) == 0 {
			t.Fatal("no error and no feature")
		}
		for _, ft := range feats {
			if ft == "" || !isFeatureName(ft) {
				t.Fatalf("feature %q", ft)
			}
		}
		again, err := ParseSupportedBTFFeatures(strings.Join(feats, ","))
		if err != nil || !slices.Equal(again, feats) {
			t.Fatalf("round trip of %q: %q, %v", feats, again, err)
		}
	})
}
