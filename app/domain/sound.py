"""The round's chime (issue 18): a soft two-note bell, made here rather than shipped as a file, so it is the
same on every platform and nothing is fetched. 16-bit mono WAV, which every player Flet's audio uses reads."""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import cache

RATE = 22_050  # samples a second: plenty for a bell, and the WAV stays small (~53 kB)
SECONDS = 1.2
NOTES = (523.25, 783.99)  # C5 and the G above: an open fifth, neither shrill nor alarming
LOUDNESS = 0.22  # of full scale: heard in a quiet room, never a start
ATTACK = 0.02  # seconds of fade-in, so it does not click


@cache
def chime_wav() -> bytes:
    """The chime as a WAV file's bytes (made once)."""
    frames = bytearray()
    for i in range(int(RATE * SECONDS)):
        t = i / RATE
        envelope = min(1.0, t / ATTACK) * math.exp(-3.2 * t)
        value = sum(math.sin(2 * math.pi * f * t) / (n + 1) for n, f in enumerate(NOTES)) / 1.5
        frames += struct.pack("<h", round(32767 * LOUDNESS * envelope * value))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()
