package imaging

import "encoding/binary"

// maxSegments bounds the JPEG marker walk: Exif sits in APP1 right after SOI in
// practice, and a hostile file must not make us walk forever.
const maxSegments = 64

// Orientation returns the EXIF orientation (1..8) of a JPEG, or 1 when data is not a
// JPEG, has no Exif APP1 segment, or the tag is missing or invalid. Image/jpeg ignores
// the tag, so every caller that shows pixels must apply it. It reads only the bytes it
// is given, bounds-checks every read and never panics.
func Orientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	p := 2
	for range maxSegments {
		// Skip fill bytes before a marker.
		for p < len(data) && data[p] == 0xff && p+1 < len(data) && data[p+1] == 0xff {
			p++
		}
		if p+4 > len(data) || data[p] != 0xff {
			return 1
		}
		marker := data[p+1]
		switch {
		case marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7):
			p += 2 // standalone markers carry no length
			continue
		case marker == 0xda || marker == 0xd9:
			return 1 // start of scan or end of image: metadata is over
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		p += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure (the body of an Exif
// segment), in either byte order. It returns 0 when the tag is absent or invalid.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := bo.Uint32(t[4:])
	if ifd < 8 || uint64(ifd)+2 > uint64(len(t)) {
		return 0
	}
	off := int(ifd)
	count := int(bo.Uint16(t[off:]))
	off += 2
	for i := 0; i < count && off+12 <= len(t); i, off = i+1, off+12 {
		if bo.Uint16(t[off:]) != 0x0112 {
			continue
		}
		typ, n := bo.Uint16(t[off+2:]), bo.Uint32(t[off+4:])
		var v uint32
		switch {
		case typ == 3 && n >= 1: // SHORT: the value sits in the first 2 bytes
			v = uint32(bo.Uint16(t[off+8:]))
		case typ == 4 && n >= 1: // LONG, written by a few broken encoders
			v = bo.Uint32(t[off+8:])
		default:
			return 0
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}
