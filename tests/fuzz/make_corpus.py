#!/usr/bin/env python3
"""Writes the fuzz seed corpora under tests/fuzz/corpus/<target>/, deterministically.

The seeds are committed; this script says how they were made and remakes them after a format
change. Files named valid-* are well-formed (the replay test checks that they load); the others
are near misses that start the fuzzer on the rejection paths.
"""
import gzip
import random
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "corpus"
PIXELS = 784
rng = random.Random(8)


def put(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def header(labelled):
    return ("label," if labelled else "") + ",".join(f"pixel{i}" for i in range(PIXELS))


def row(label=None, values=None):
    values = values if values is not None else [rng.choice([0, 0, 0, 17, 128, 255]) for _ in range(PIXELS)]
    return ",".join(([str(label)] if label is not None else []) + [str(v) for v in values])


def csv(labelled, rows, newline="\n"):
    lines = [header(labelled)] + [row(rng.randrange(10) if labelled else None) for _ in range(rows)]
    return (newline.join(lines) + newline).encode()


def gz(data):
    return gzip.compress(data, mtime=0)


# Kaggle CSV: the first byte picks the prefix (0 none, 1 train header, 2 test header).
def kaggle(mode, body):
    return bytes([mode]) + body


put("kaggle_csv", "valid-train.csv", kaggle(0, csv(True, 1)))
put("kaggle_csv", "valid-train-rows", kaggle(1, (row(3) + "\n" + row(9) + "\n").encode()))
put("kaggle_csv", "valid-test-rows-crlf", kaggle(2, (row() + "\r\n").encode()))
put("kaggle_csv", "short-row", kaggle(1, (",".join(["1"] + ["0"] * 500) + "\n").encode()))
put("kaggle_csv", "long-row", kaggle(2, (",".join(["0"] * 800) + "\n").encode()))
put("kaggle_csv", "value-256", kaggle(2, (row(values=[256] + [0] * 783) + "\n").encode()))
put("kaggle_csv", "label-10", kaggle(1, (row(10) + "\n").encode()))
put("kaggle_csv", "wrong-header", kaggle(0, b"ImageId,Label\n1,2\n"))

# IDX: images (2051) and labels (2049), raw and gzipped.
images = struct.pack(">IIII", 2051, 2, 28, 28) + bytes(rng.randrange(256) for _ in range(2 * PIXELS))
labels = struct.pack(">II", 2049, 3) + bytes([7, 0, 9])
put("idx", "valid-images.idx", images)
put("idx", "valid-images.idx.gz", gz(images))
put("idx", "valid-labels.idx", labels)
put("idx", "valid-labels.idx.gz", gz(labels))
put("idx", "bad-magic.idx", struct.pack(">IIII", 2050, 1, 28, 28) + bytes(PIXELS))
put("idx", "claims-2-31-images.idx", struct.pack(">IIII", 2051, 1 << 31, 28, 28) + bytes(PIXELS))
put("idx", "truncated.idx.gz", gz(images)[:-20])
put("idx", "two-members.idx.gz", gz(labels[:5]) + gz(labels[5:]))


# Model files for Network<4,3,2> (tests/fuzz/harnesses.hpp SmallNet); layout in model_file.hpp.
def model(sizes, activation=1, metadata=b"seed=1\nepochs=2\n", version=1):
    out = b"DRNN\r\n\x1a\n" + struct.pack("<II", version, len(sizes))
    out += struct.pack(f"<{len(sizes)}I", *sizes) + bytes([activation, 0, 0, 0])
    out += struct.pack("<I", len(metadata)) + metadata
    count = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    out += struct.pack("<Q", count)
    out += struct.pack(f"<{count}f", *(rng.uniform(-1, 1) for _ in range(count)))
    return out + struct.pack("<I", zlib.crc32(out))


valid = model([4, 3, 2])
put("model_file", "valid-4-3-2.model", valid)
put("model_file", "valid-no-metadata.model", model([4, 3, 2], metadata=b""))
put("model_file", "other-shape-4-5-2.model", model([4, 5, 2]))
put("model_file", "tanh-4-3-2.model", model([4, 3, 2], activation=3))
put("model_file", "future-version.model", model([4, 3, 2], version=2))
put("model_file", "truncated.model", valid[:-9])
flipped = bytearray(valid)
flipped[-10] ^= 0x01
put("model_file", "flipped-payload-byte.model", bytes(flipped))

# The submission path: test files of every format load_dataset reads.
put("submission", "valid-test.csv", csv(False, 2))
put("submission", "valid-train-crlf.csv", csv(True, 1, "\r\n"))
put("submission", "valid-images.idx", images)
put("submission", "valid-images.idx.gz", gz(images))
put("submission", "labels-only.idx", labels)
put("submission", "garbage.bin", bytes(rng.randrange(256) for _ in range(64)))
