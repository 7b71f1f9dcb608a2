#!/usr/bin/env python3
"""Writes N short deterministic 16-bit WAV tracks (chords with a little noise) for tools/torture.

usage: make_corpus.py OUT_DIR N [SECONDS]     (standard library only)
"""
import math
import os
import random
import struct
import sys
import wave


def main(argv):
    out, count = argv[1], int(argv[2])
    seconds = float(argv[3]) if len(argv) > 3 else 6.0
    os.makedirs(out, exist_ok=True)
    rate = 22050
    for n in range(count):
        rng = random.Random(1000 + n)
        base = 110.0 * (1 + (n % 12) / 12)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            t = i / rate
            v = 0.3 * math.sin(2 * math.pi * base * t) + 0.2 * math.sin(2 * math.pi * base * 1.5 * t)
            v += 0.1 * math.sin(2 * math.pi * base * 4 * t) * (1 + math.sin(2 * math.pi * 2 * t)) / 2
            v += 0.02 * (rng.random() - 0.5)
            frames += struct.pack("<h", int(max(-1, min(1, v)) * 32767))
        with wave.open(os.path.join(out, f"track{n:02d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(bytes(frames))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
