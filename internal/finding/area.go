package finding

// Area is a section of the report.
type Area struct {
	Name  string // as in IDs and --only
	Title string
}

// Areas in report order: what blocks building BPF code comes first.
var Areas = []Area{
	{"llvm", "LLVM"},
	{"clang", "clang"},
	{"pahole", "pahole (BTF for kernel builds)"},
	{"kernel", "Running kernel"},
	{"kconfig", "Kernel config vs. BPF selftests"},
	{"libbpf", "libbpf and bpftool"},
	{"build", "Build probe (a libbpf program, as libbpf-bootstrap builds one)"},
	{"features", "Kernel features (probed)"},
	{"security", "Security and tracing"},
	{"selftests", "BPF selftests of the kernel tree (make -C tools/testing/selftests/bpf)"},
	{"require", "Requirements (--require)"},
	{"lint", "BPF objects (bpfdoctor lint)"},
}

// AreaTitle returns an area's title, or its name when unknown.
func AreaTitle(name string) string {
	for _, a := range Areas {
		if a.Name == name {
			return a.Title
		}
	}
	return name
}
