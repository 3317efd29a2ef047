#!/usr/bin/env python3
"""Checks fatbin-keep-arch.py on a small ELF file built here from the layout alone (no CUDA needed).

    python3 build/fatbin-keep-arch-test.py                # exit 0 and 'N passed, 0 failed', else exit 1
    python3 build/fatbin-keep-arch-test.py --sample FILE  # writes that ELF file (a stand-in CUDA provider)
"""

import os
import struct
import subprocess
import sys
import tempfile

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fatbin-keep-arch.py")


def entry(architecture, payload):
    # 64-byte entry header: kind (2 = cubin), version, header size, payload size, ..., architecture at byte 28.
    header = bytearray(64)
    struct.pack_into("<HHIQ", header, 0, 2, 0x0101, 64, len(payload))
    struct.pack_into("<I", header, 28, architecture)
    struct.pack_into("<Q", header, 40, 0x8011)
    return bytes(header) + payload


def fatbin(entries):
    body = b"".join(entries)
    return struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(body)) + body


def elf(section, registrations=None):
    """ELF64 header, the section at offset 64, optionally a .nvFatBinSegment of that many 24-byte wrappers, then
    .shstrtab, then the section headers."""
    names = b"\0.nv_fatbin\0.shstrtab\0.nvFatBinSegment\0"
    section_offset = 64
    segment = bytes(24 * registrations) if registrations is not None else b""
    segment_offset = section_offset + len(section)
    names_offset = segment_offset + len(segment)
    headers_offset = names_offset + len(names)
    count = 4 if registrations is not None else 3
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x28, headers_offset)
    struct.pack_into("<HHH", header, 0x3A, 64, count, 2)
    section_headers = bytes(64)
    section_headers += struct.pack("<IIQQQQ", 1, 1, 0, 0, section_offset, len(section)) + bytes(24)
    section_headers += struct.pack("<IIQQQQ", 12, 3, 0, 0, names_offset, len(names)) + bytes(24)
    if registrations is not None:
        section_headers += struct.pack("<IIQQQQ", 22, 1, 0, 0, segment_offset, len(segment)) + bytes(24)
    return bytes(header) + section + segment + names + section_headers, section_offset


def payload(tag, size):
    return bytes((tag + i) % 251 + 1 for i in range(size))


def run(args):
    return subprocess.run([sys.executable, TOOL] + args, capture_output=True, text=True)


def sample():
    """Three fat binaries: sm_80/90/120, sm_120 alone (after 8 bytes of padding), sm_90/75."""
    entries = {
        "e80": entry(80, payload(1, 40)), "e90": entry(90, payload(2, 24)), "e120": entry(120, payload(3, 16)),
        "only120": entry(120, payload(4, 32)), "e90b": entry(90, payload(5, 8)), "e75": entry(75, payload(6, 48)),
    }
    fatbins = (fatbin([entries["e80"], entries["e90"], entries["e120"]]), fatbin([entries["only120"]]),
               fatbin([entries["e90b"], entries["e75"]]))
    return entries, fatbins


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--sample":
        _, (first, second, third) = sample()
        with open(sys.argv[2], "wb") as f:
            f.write(elf(first + bytes(8) + second + third)[0])
        return

    passed = failed = 0

    def check(condition, what):
        nonlocal passed, failed
        if condition:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {what}")

    entries, (first, second, third) = sample()
    e80, e90, e120, e90b = entries["e80"], entries["e90"], entries["e120"], entries["e90b"]
    padding = bytes(8)
    section = first + padding + second + third
    original, at = elf(section)

    with tempfile.TemporaryDirectory() as folder:
        source, destination = os.path.join(folder, "in.so"), os.path.join(folder, "out.so")
        with open(source, "wb") as f:
            f.write(original)

        result = run([source, destination, "--arch", "90"])
        check(result.returncode == 0, f"keeping sm_90 exits 0 (got {result.returncode}: {result.stderr.strip()})")
        check("kept 2 cubin(s)" in result.stdout and "dropped 3" in result.stdout and "1 without one left whole" in result.stdout,
              f"the summary counts kept, dropped and whole fat binaries: {result.stdout.strip()}")
        with open(destination, "rb") as f:
            rewritten = f.read()
        check(len(rewritten) == len(original), "the file keeps its size")
        check(rewritten[:at] == original[:at] and rewritten[at + len(section):] == original[at + len(section):],
              "everything outside the section is unchanged")
        expected = (struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(e90)) + e90 + bytes(len(first) - 16 - len(e90))
                    + padding + second
                    + struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(e90b)) + e90b + bytes(len(third) - 16 - len(e90b)))
        check(rewritten[at:at + len(section)] == expected,
              "each fat binary holds its sm_90 entry at its front with its size field set, zeros after; the sm_120-only one whole")

        result = run([source, destination, "--arch", "80,120"])
        with open(destination, "rb") as f:
            rewritten = f.read()
        expected = (struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(e80) + len(e120)) + e80 + e120
                    + bytes(len(first) - 16 - len(e80) - len(e120)) + padding + second + third)
        check(result.returncode == 0 and rewritten[at:at + len(section)] == expected,
              "two architectures keep both entries in their order; a fat binary with none of them stays whole")

        result = run([source, destination, "--arch", "86"])
        check(result.returncode == 2 and "no cubin for sm_86" in result.stderr and "sm_75, sm_80, sm_90, sm_120" in result.stderr,
              f"an architecture with no cubin is refused and the present ones named: {result.stderr.strip()}")

        with open(source, "wb") as f:
            f.write(b"not an ELF file at all, just text")
        result = run([source, destination, "--arch", "90"])
        check(result.returncode == 2 and "not a little-endian 64-bit ELF" in result.stderr, "a file that is no ELF is refused")

        truncated, _ = elf(first[:-8])
        with open(source, "wb") as f:
            f.write(truncated)
        result = run([source, destination, "--arch", "90"])
        check(result.returncode == 2 and "runs past the section's end" in result.stderr,
              f"a fat binary cut short is refused: {result.stderr.strip()}")

        for registrations, refused in ((3, False), (4, True)):
            library, _ = elf(section, registrations)
            with open(source, "wb") as f:
                f.write(library)
            result = run([source, destination, "--arch", "90"])
            if refused:
                check(result.returncode == 2 and "found 3 fat binaries but .nvFatBinSegment registers 4" in result.stderr,
                      f"a registration table that lists more fat binaries than were found is refused: {result.stderr.strip()}")
            else:
                check(result.returncode == 0, f"a registration table of as many fat binaries is accepted: {result.stderr.strip()}")

        # A fat binary whose last entry has only 16 bytes of its header before the fat binary's end.
        body = e80 + e90[:16]
        cut, _ = elf(struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(body)) + body)
        with open(source, "wb") as f:
            f.write(cut)
        result = run([source, destination, "--arch", "90"])
        check(result.returncode == 2 and "malformed entry" in result.stderr,
              f"an entry whose sizes run past its fat binary is refused: {result.stderr.strip()}")

        result = run([source, destination, "--arch", "sm90"])
        check(result.returncode == 2 and "--arch 'sm90'" in result.stderr, "an --arch that is no number is refused")

    print(f"fatbin-keep-arch: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
