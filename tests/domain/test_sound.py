"""The round's chime: a real, quiet WAV that starts without a click and dies away."""

from __future__ import annotations

import io
import struct
import wave

from app.domain.sound import LOUDNESS, RATE, SECONDS, chime_wav


def test_the_chime_is_a_quiet_mono_wav_that_fades_in_and_dies_away() -> None:
    with wave.open(io.BytesIO(chime_wav())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        samples = struct.unpack(f"<{wav.getnframes()}h", wav.readframes(wav.getnframes()))
    assert len(samples) == int(RATE * SECONDS)
    peak = max(abs(s) for s in samples)
    assert 0.1 * 32767 < peak <= LOUDNESS * 32767 + 1  # heard, never loud
    assert max(abs(s) for s in samples[:20]) < 0.05 * peak  # no click at the start
    assert max(abs(s) for s in samples[-RATE // 10:]) < 0.1 * peak  # it has died away by the end
