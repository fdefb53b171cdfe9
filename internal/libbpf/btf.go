package libbpf

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// BTF kinds, numbered as in include/uapi/linux/btf.h.
const (
	KindFloat   = 16 // BTF_KIND_FLOAT
	KindDeclTag = 17 // BTF_KIND_DECL_TAG
	KindTypeTag = 18 // BTF_KIND_TYPE_TAG
	KindEnum64  = 19 // BTF_KIND_ENUM64
	// KindMax is the last kind bpfdoctor knows the size of.
	KindMax = KindEnum64
)

// BTFKinds is what ScanBTF found in a raw BTF blob.
type BTFKinds struct {
	// Count is the number of types of each kind, by kind number.
	Count [KindMax + 1]int
	// Types is the number of types scanned.
	Types int
	// Unknown is the first kind beyond KindMax met, 0 when none. The scan
	// stops there: the size of an unknown kind's record is unknown.
	Unknown int
}

// KindReader is when libbpf learnt to read a BTF kind. libbpf refuses the
// whole blob when it meets a kind it does not know (btf_type_size in
// src/btf.c: "Unsupported BTF_KIND:%u", -EINVAL), so one such type makes
// the kernel's BTF unreadable to it: no vmlinux.h, no CO-RE.
type KindReader struct {
	Kind   int
	Name   string
	Libbpf *semver.Version
	// Kernel is the first kernel whose BTF can hold the kind.
	Kernel string
}

// KindReaders lists the kinds libbpf learnt after its first releases
// (kinds 1 to 15 are older than libbpf 0.1). The libbpf versions are the
// symbol version nodes of the btf__add_* API added in the same series, as
// libbpf.so.1.1.2 exports them (objdump -T: btf__add_float LIBBPF_0.4.0,
// btf__add_decl_tag LIBBPF_0.6.0, btf__add_type_tag LIBBPF_0.6.0,
// btf__add_enum64 LIBBPF_1.0.0), matching the v0.4.0, v0.6.0 and v1.0.0
// release notes of libbpf/libbpf. The kernels: BTF_KIND_FLOAT in 5.13
// ("bpf: Add BTF_KIND_FLOAT to uapi"), BTF_KIND_DECL_TAG in 5.16 ("bpf:
// Support for new btf kind BTF_KIND_TAG"), BTF_KIND_TYPE_TAG in 5.17 ("bpf:
// Support BTF_KIND_TYPE_TAG for btf_type_tag attributes"), BTF_KIND_ENUM64
// in 6.0 ("bpf: Add btf enum64 support"); titles and releases from memory.
var KindReaders = []KindReader{
	{KindFloat, "FLOAT", semver.MustParse("0.4.0"), "5.13"},
	{KindDeclTag, "DECL_TAG", semver.MustParse("0.6.0"), "5.16"},
	{KindTypeTag, "TYPE_TAG", semver.MustParse("0.6.0"), "5.17"},
	{KindEnum64, "ENUM64", semver.MustParse("1.0.0"), "6.0"},
}

// Unreadable returns the kinds in k that libbpf v cannot read, in kind
// order.
func (k BTFKinds) Unreadable(v *semver.Version) []KindReader {
	var out []KindReader
	for _, r := range KindReaders {
		if k.Count[r.Kind] > 0 && v.LessThan(r.Libbpf) {
			out = append(out, r)
		}
	}
	return out
}

const btfMagic = 0xeb9f

// ScanBTF reads the type headers of a raw BTF blob (as in
// /sys/kernel/btf/vmlinux) and counts the kinds. It only walks the type
// section, which is much cheaper than decoding the types: a kernel's BTF
// has some 150000 of them. Either byte order is accepted.
func ScanBTF(raw []byte) (BTFKinds, error) {
	var k BTFKinds
	if len(raw) < 24 {
		return k, errors.New("scan BTF: shorter than its header")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint16(raw) == btfMagic:
	case binary.BigEndian.Uint16(raw) == btfMagic:
		bo = binary.BigEndian
	default:
		return k, fmt.Errorf("scan BTF: bad magic %#04x", binary.LittleEndian.Uint16(raw))
	}
	hdrLen := uint64(bo.Uint32(raw[4:]))
	typeOff := uint64(bo.Uint32(raw[8:]))
	typeLen := uint64(bo.Uint32(raw[12:]))
	if hdrLen < 24 {
		return k, fmt.Errorf("scan BTF: header length %d is below 24", hdrLen)
	}
	start := hdrLen + typeOff
	end := start + typeLen
	if end > uint64(len(raw)) {
		return k, fmt.Errorf("scan BTF: type section [%d, %d) runs past the %d bytes", start, end, len(raw))
	}
	types := raw[start:end]
	for off := uint64(0); off < uint64(len(types)); {
		if uint64(len(types))-off < 12 {
			return k, fmt.Errorf("scan BTF: truncated type header at offset %d", off)
		}
		info := bo.Uint32(types[off+4:])
		kind := int(info >> 24 & 0x1f)
		vlen := uint64(info & 0xffff)
		off += 12
		var extra uint64
		switch kind {
		case 1, 14, KindDeclTag: // INT, VAR: 4 bytes; DECL_TAG: component_idx
			extra = 4
		case 3: // ARRAY
			extra = 12
		case 4, 5, 15, KindEnum64: // STRUCT, UNION, DATASEC, ENUM64
			extra = 12 * vlen
		case 6, 13: // ENUM, FUNC_PROTO
			extra = 8 * vlen
		case 0:
			return k, fmt.Errorf("scan BTF: type %d has kind 0 (UNKN)", k.Types+1)
		default:
			if kind > KindMax {
				k.Unknown = kind
				return k, nil
			}
		}
		if uint64(len(types))-off < extra {
			return k, fmt.Errorf("scan BTF: type %d (kind %d) runs past the type section", k.Types+1, kind)
		}
		off += extra
		k.Count[kind]++
		k.Types++
	}
	return k, nil
}
