package bpfobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// BTF kinds whose trailing data countDeclTags must step over
// (include/uapi/linux/btf.h).
const (
	kindInt       = 1
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFuncProto = 13
	kindVar       = 14
	kindDatasec   = 15
	kindDeclTag   = 17
	kindEnum64    = 19
	kindMax       = 19
)

// countDeclTags counts the DECL_TAG types named name in raw BTF. cilium's
// decoder folds decl tags into the types they tag, and asking it for every
// type of vmlinux to find the first tag costs a quarter of a second; one
// pass over the type headers costs a few milliseconds.
func countDeclTags(raw []byte, name string) (int, error) {
	if len(raw) < 24 {
		return 0, errors.New("BTF too short for its header")
	}
	var bo binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint16(raw) == 0xeb9f:
		bo = binary.LittleEndian
	case binary.BigEndian.Uint16(raw) == 0xeb9f:
		bo = binary.BigEndian
	default:
		return 0, fmt.Errorf("bad BTF magic %#04x", binary.LittleEndian.Uint16(raw))
	}
	hdrLen := uint64(bo.Uint32(raw[4:]))
	typeOff, typeLen := uint64(bo.Uint32(raw[8:])), uint64(bo.Uint32(raw[12:]))
	strOff, strLen := uint64(bo.Uint32(raw[16:])), uint64(bo.Uint32(raw[20:]))
	body := uint64(len(raw)) - min(hdrLen, uint64(len(raw)))
	if hdrLen < 24 || hdrLen > uint64(len(raw)) || typeOff+typeLen > body || strOff+strLen > body {
		return 0, errors.New("BTF header out of bounds")
	}
	types := raw[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := raw[hdrLen+strOff : hdrLen+strOff+strLen]
	want := append([]byte(name), 0)
	n := 0
	for off := uint64(0); off < uint64(len(types)); {
		if off+12 > uint64(len(types)) {
			return 0, errors.New("BTF type section truncated")
		}
		nameOff := uint64(bo.Uint32(types[off:]))
		info := bo.Uint32(types[off+4:])
		kind, vlen := (info>>24)&0x1f, uint64(info&0xffff)
		if kind == 0 || kind > kindMax {
			return 0, fmt.Errorf("unknown BTF kind %d at type offset %d", kind, off)
		}
		if kind == kindDeclTag && nameOff < uint64(len(strs)) && bytes.HasPrefix(strs[nameOff:], want) {
			n++
		}
		off += 12
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			off += 4
		case kindArray:
			off += 12
		case kindStruct, kindUnion, kindDatasec, kindEnum64:
			off += 12 * vlen
		case kindEnum, kindFuncProto:
			off += 8 * vlen
		}
	}
	return n, nil
}
