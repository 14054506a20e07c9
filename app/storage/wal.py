"""Check SQLite's write-ahead log before SQLite reads it, so damage is reported instead of silently dropped.

When SQLite opens a database whose `-wal` file has a frame that fails its checksum, it treats that frame as
the end of the log: every transaction after it is ignored, and the next checkpoint makes the loss final. A
torn tail (the transaction being written when the power went) looks the same and is harmless, because it
was never acknowledged. The difference: after real damage the log goes on, with intact frames of the same
log generation (same salts). This module reads the log as SQLite documents it (https://sqlite.org/fileformat.html,
section 4) and says when an intact committed frame follows a broken one, or when the header itself is
broken while frames follow.
"""

from __future__ import annotations

import struct
from pathlib import Path

MAGIC_LE, MAGIC_BE = 0x377F0682, 0x377F0683
HEADER = struct.Struct(">8I")
FRAME_HEADER = struct.Struct(">6I")


def _checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def damage(path: Path) -> str | None:
    """What is wrong with the WAL at `path`, or None when it is absent, empty, whole, or only torn at its end."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) < HEADER.size:
        return None  # never written past its header: nothing committed lives in it
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = HEADER.unpack_from(data)
    frame_size = FRAME_HEADER.size + page_size
    has_frames = len(data) >= HEADER.size + frame_size
    if magic not in (MAGIC_LE, MAGIC_BE) or page_size < 512 or page_size & (page_size - 1):
        return "its header is not a write-ahead log header" if has_frames else None
    big_endian = magic == MAGIC_BE
    if _checksum(data[:24], 0, 0, big_endian) != (c1, c2):
        return "its header does not match its checksum" if has_frames else None
    running, broken_at = (c1, c2), None
    for index, offset in enumerate(range(HEADER.size, len(data) - frame_size + 1, frame_size)):
        _pgno, commit, f_salt1, f_salt2, f1, f2 = FRAME_HEADER.unpack_from(data, offset)
        if (f_salt1, f_salt2) != (salt1, salt2):
            break  # frames of an earlier generation of the log: SQLite ignores them, rightly
        page = data[offset + FRAME_HEADER.size:offset + frame_size]
        computed = _checksum(data[offset:offset + 8] + page, *running, big_endian)
        if computed != (f1, f2):
            broken_at = index if broken_at is None else broken_at
            running = (f1, f2)  # go on from the stored sum, to see whether intact frames follow
            continue
        if broken_at is not None and commit:
            return f"frame {broken_at} is damaged and committed changes follow it"
        running = computed
    return None
