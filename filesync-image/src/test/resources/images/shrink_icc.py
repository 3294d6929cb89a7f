"""Extracts the ICC profile from a JPEG and drops its characterization-data tags (targ, DevD, CIED)."""
import struct, sys
d = open(sys.argv[1], 'rb').read()
i, chunks = 2, []
while i < len(d) and d[i] == 0xFF:
    m = d[i + 1]; L = struct.unpack('>H', d[i + 2:i + 4])[0]
    if m == 0xE2 and d[i + 4:i + 16] == b'ICC_PROFILE\0':
        chunks.append(d[i + 18:i + 2 + L])
    if m == 0xDA:
        break
    i += 2 + L
p = b''.join(chunks)
n = struct.unpack('>I', p[128:132])[0]
tags = [struct.unpack('>4sII', p[132 + 12 * k:144 + 12 * k]) for k in range(n)]
keep = [t for t in tags if t[0] not in (b'targ', b'DevD', b'CIED')]
data, table, placed = bytearray(), [], {}
base = 128 + 4 + 12 * len(keep)
for sig, off, size in keep:
    if (off, size) not in placed:
        while (base + len(data)) % 4:
            data.append(0)
        placed[(off, size)] = base + len(data)
        data += p[off:off + size]
    table.append(struct.pack('>4sII', sig, placed[(off, size)], size))
out = bytearray(p[:128]) + struct.pack('>I', len(keep)) + b''.join(table) + data
out[0:4] = struct.pack('>I', len(out))
out[84:100] = bytes(16)  # profile ID (MD5) no longer valid: zero means "not computed"
open(sys.argv[2], 'wb').write(out)
