package libbpf

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// marshalBTF builds a raw BTF blob as the kernel exposes it, with
// cilium/ebpf's encoder and no kind replaced.
func marshalBTF(t testing.TB, order binary.ByteOrder, types ...btf.Type) []byte {
	t.Helper()
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, &btf.MarshalOptions{Order: order})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// newKinds is one type of each kind libbpf learnt late, and a struct
// (vlen members) to check the walk steps over variable-length records.
func newKinds() []btf.Type {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	return []btf.Type{
		&btf.Struct{Name: "s", Size: 8, Members: []btf.Member{{Name: "a", Type: i32}, {Name: "b", Type: i32, Offset: 32}}},
		&btf.Float{Name: "double", Size: 8},
		&btf.Typedef{Name: "tagged", Type: i32, Tags: []string{"user"}},
		&btf.Pointer{Target: &btf.TypeTag{Type: i32, Value: "rcu"}},
		&btf.Enum{Name: "big", Size: 8, Values: []btf.EnumValue{{Name: "A", Value: 1 << 40}, {Name: "B", Value: 2}}},
		&btf.Enum{Name: "small", Size: 4, Values: []btf.EnumValue{{Name: "C", Value: 1}}},
	}
}

func TestScanBTF(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		raw := marshalBTF(t, order, newKinds()...)
		k, err := ScanBTF(raw)
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		for kind, want := range map[int]int{KindFloat: 1, KindDeclTag: 1, KindTypeTag: 1, KindEnum64: 1, 6: 1, 4: 1, 1: 1, 2: 1, 8: 1} {
			if k.Count[kind] != want {
				t.Errorf("%v: kind %d: %d types, want %d (all: %v)", order, kind, k.Count[kind], want, k.Count)
			}
		}
		if k.Types != 9 || k.Unknown != 0 {
			t.Errorf("%v: %d types, unknown %d", order, k.Types, k.Unknown)
		}
		old := k.Unreadable(semver.MustParse("0.5.0"))
		if len(old) != 3 || old[0].Name != "DECL_TAG" || old[2].Name != "ENUM64" {
			t.Errorf("libbpf 0.5 cannot read %+v, want DECL_TAG, TYPE_TAG, ENUM64", old)
		}
		if got := k.Unreadable(semver.MustParse("1.1.0")); len(got) != 0 {
			t.Errorf("libbpf 1.1 cannot read %+v", got)
		}
	}
}

func TestScanBTFRefuses(t *testing.T) {
	good := marshalBTF(t, binary.LittleEndian, newKinds()...)
	hdrLen := int(binary.LittleEndian.Uint32(good[4:]))
	cases := map[string][]byte{
		"empty":     nil,
		"bad magic": append([]byte{1, 2}, good[2:]...),
		"truncated": good[:len(good)-int(binary.LittleEndian.Uint32(good[20:]))-3],
	}
	for name, raw := range cases {
		if _, err := ScanBTF(raw); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A kind after ENUM64 stops the scan and is reported, not refused:
	// the kinds before it still count.
	unk := append([]byte(nil), good...)
	info := hdrLen + 4 // the first type's info word
	binary.LittleEndian.PutUint32(unk[info:], 20<<24)
	k, err := ScanBTF(unk)
	if err != nil || k.Unknown != 20 || k.Types != 0 {
		t.Errorf("kind 20: %+v, %v", k, err)
	}
}

// TestScanBTFRealKernel reads this machine's kernel BTF, which
// bpftool can dump here (libbpf.vmlinux-h checks that).
func TestScanBTFRealKernel(t *testing.T) {
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		testkit.Missing(t, "no kernel BTF: %v", err)
		return
	}
	k, err := ScanBTF(raw)
	if err != nil {
		t.Fatal(err)
	}
	// The full decoder must agree on the number of types.
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range spec.All() {
		n++
	}
	// spec.All includes Void, type 0, which the blob does not hold, and
	// folds decl tags into the Tags of the types they tag.
	if k.Types-k.Count[KindDeclTag] != n-1 {
		t.Errorf("scanned %d types (%d decl tags), cilium/ebpf decodes %d", k.Types, k.Count[KindDeclTag], n-1)
	}
	t.Logf("%d types, kinds %v", k.Types, k.Count)
}

func TestParseSharedObjectVersion(t *testing.T) {
	for name, want := range map[string]string{"libbpf.so.1.1.2": "1.1.2", "libbpf.so.0.5.0": "0.5.0", "libbpf.so.1.4": "1.4.0", "libbpf.so.1": "", "libbpf.so": "", "libbpf.so.1.x": "", "libbpf.so.1..2": "", "libelf.so.1.2": ""} {
		v, ok := ParseSharedObjectVersion(name)
		got := ""
		if ok {
			got = v.String()
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestBpftoolLibbpf(t *testing.T) {
	for _, c := range []struct {
		version, libbpf, want string
		inferred              bool
	}{
		{"7.1.0", "1.1", "1.1.0", false},
		{"7.4.0", "", "1.4.0", true},
		{"6.0.0", "", "", false},
		{"5.10.0", "", "", false},
		{"7.1.0", "garbage", "", false},
	} {
		b := Bpftool{Version: semver.MustParse(c.version), LibbpfVersion: c.libbpf}
		v, inferred := b.Libbpf()
		got := ""
		if v != nil {
			got = v.String()
		}
		if got != c.want || inferred != c.inferred {
			t.Errorf("%s/%q: %q %v, want %q %v", c.version, c.libbpf, got, inferred, c.want, c.inferred)
		}
	}
}

func TestIsLinuxToolsWrapper(t *testing.T) {
	if !IsLinuxToolsWrapper([]byte(testkit.ReadTestdata(t, "ubuntu-linux-tools-wrapper.sh"))) {
		t.Error("the wrapper is not recognised")
	}
	for _, s := range []string{"\x7fELF\x02\x01", "#!/bin/sh\nexec /usr/local/bin/bpftool \"$@\"\n", ""} {
		if IsLinuxToolsWrapper([]byte(s)) {
			t.Errorf("%q taken for the wrapper", s)
		}
	}
}

// BenchmarkScanBTFKernel reads and scans this machine's kernel BTF, the
// cost libbpf.btf-kinds adds to a check run.
func BenchmarkScanBTFKernel(b *testing.B) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ScanBTF(raw); err != nil {
			b.Fatal(err)
		}
	}
}
