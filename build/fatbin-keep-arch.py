#!/usr/bin/env python3
"""Keep only the GPU code for the named SM architectures in a CUDA shared library's fat binaries.

    fatbin-keep-arch.py SRC DST --arch 90[,120...]

Why: ONNX Runtime's CUDA provider (libonnxruntime_providers_cuda.so, 260 MiB in 1.30.0) carries a cubin for each of
sm_75, 80, 86, 89, 90 and 120 in every kernel module; a GPU host of one architecture loads one of them. Keeping only
that one makes the library small enough to travel (47 MiB xz-compressed for sm_90, against 169 MiB whole).

How: the `.nv_fatbin` section is a run of fat binaries (magic 0xBA55ED50, a 16-byte header whose last field is the
size of the entries after it), each a run of entries (a header whose size is at byte 4, the payload size at byte 8 and
the SM architecture at byte 28). Within each fat binary the kept entries move to its front, its size field becomes
their total, and the bytes freed are zeroed. Nothing else moves: the section, the ELF layout and the registration
records that point at each fat binary stay where they were, so the library loads as before and the driver, which
picks the entry for the device's architecture, finds the same one. A fat binary with no entry for the named
architectures (ONNX Runtime has a few sm_120-only modules) is left whole, so its kernels fail on another GPU exactly
as they did. Cubins only: on a device of another architecture the kept code does not run (no PTX is kept or present).
"""

import argparse
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
ENTRY_HEADER_READ = 48  # the bytes of an entry header read here: up to its flags
ELF_MAGIC = b"\x7fELF"


def fail(message):
    print(f"fatbin-keep-arch: {message}", file=sys.stderr)
    sys.exit(2)


def sections(data, path):
    """{name: (offset, size)} of a little-endian ELF64 file's sections."""
    if data[:4] != ELF_MAGIC or data[4] != 2 or data[5] != 1:
        fail(f"'{path}' is not a little-endian 64-bit ELF file.")
    (section_headers,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count, names_index = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, section_headers + i * entry_size) for i in range(count)]
    names_offset = headers[names_index][4]
    found = {}
    for name, _, _, _, offset, size in headers:
        end = data.index(0, names_offset + name)
        found[bytes(data[names_offset + name:end]).decode("ascii", "replace")] = (offset, size)
    return found


def keep_architectures(data, path, keep):
    """Rewrites data's fat binaries in place; returns (fat binaries, kept, dropped, left whole, architectures seen)."""
    table = sections(data, path)
    if ".nv_fatbin" not in table:
        fail(f"'{path}' has no .nv_fatbin section: it holds no CUDA device code.")
    start, size = table[".nv_fatbin"]
    position, end = start, start + size
    fatbins = kept = dropped = whole = 0
    seen = set()
    while position < end:
        if position + 16 > end:
            break
        magic, _, header_size, entries_size = struct.unpack_from("<IHHQ", data, position)
        if magic != FATBIN_MAGIC:
            # Fat binaries are 8-byte aligned; what lies between them is padding.
            position += 8
            continue
        fatbins += 1
        entries_start = position + header_size
        entries_end = entries_start + entries_size
        if entries_end > end:
            fail(f"'{path}': the fat binary at section offset {position - start} runs past the section's end.")
        entry = entries_start
        kept_bytes = bytearray()
        kept_here = dropped_here = 0
        while entry < entries_end:
            if entry + ENTRY_HEADER_READ > entries_end:
                fail(f"'{path}': a malformed entry at section offset {entry - start}.")
            _, _, entry_header_size, payload_size = struct.unpack_from("<HHIQ", data, entry)
            (architecture,) = struct.unpack_from("<I", data, entry + 28)
            entry_end = entry + entry_header_size + payload_size
            if entry_header_size == 0 or entry_end > entries_end:
                fail(f"'{path}': a malformed entry at section offset {entry - start}.")
            seen.add(architecture)
            if architecture in keep:
                kept_bytes += data[entry:entry_end]
                kept_here += 1
            else:
                dropped_here += 1
            entry = entry_end
        if kept_here == 0:
            whole += 1
        else:
            kept += kept_here
            dropped += dropped_here
            data[entries_start:entries_end] = kept_bytes + bytes(entries_size - len(kept_bytes))
            struct.pack_into("<Q", data, position + 8, len(kept_bytes))
        position = entries_end
    # Each fat binary is registered by a 24-byte wrapper in .nvFatBinSegment: as many wrappers as fat binaries found
    # says the walk above saw them all (a fat binary it stepped over would be left unpruned, not damaged, but the
    # summary would be wrong).
    if ".nvFatBinSegment" in table and table[".nvFatBinSegment"][1] // 24 != fatbins:
        fail(f"'{path}': found {fatbins} fat binaries but .nvFatBinSegment registers {table['.nvFatBinSegment'][1] // 24}; "
             "the layout is not the one this tool knows, and nothing was written.")
    return fatbins, kept, dropped, whole, seen


def main():
    parser = argparse.ArgumentParser(description="Keep only the cubins of the named SM architectures.")
    parser.add_argument("source")
    parser.add_argument("destination")
    parser.add_argument("--arch", required=True, help="SM architectures to keep, comma-separated (90 = sm_90, H100/H200)")
    arguments = parser.parse_args()
    try:
        keep = {int(a) for a in arguments.arch.split(",") if a.strip()}
    except ValueError:
        fail(f"--arch '{arguments.arch}' is not a comma-separated list of numbers such as 90 or 80,90.")
    if not keep:
        fail("--arch names no architecture.")
    with open(arguments.source, "rb") as f:
        data = bytearray(f.read())
    fatbins, kept, dropped, whole, seen = keep_architectures(data, arguments.source, keep)
    if kept == 0:
        fail(f"'{arguments.source}' has no cubin for {', '.join('sm_%d' % a for a in sorted(keep))}; "
             f"it has {', '.join('sm_%d' % a for a in sorted(seen))}.")
    with open(arguments.destination, "wb") as f:
        f.write(data)
    print(f"fatbin-keep-arch: {fatbins} fat binaries, kept {kept} cubin(s) for "
          f"{', '.join('sm_%d' % a for a in sorted(keep))}, dropped {dropped}, {whole} without one left whole "
          f"(architectures present: {', '.join('sm_%d' % a for a in sorted(seen))})")


if __name__ == "__main__":
    main()
