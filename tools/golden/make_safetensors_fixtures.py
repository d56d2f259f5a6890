#!/usr/bin/env python3
"""Writes the safetensors fixtures that dev.fathom.io tests read, with numpy only.

The files are written byte for byte as the reference implementation (huggingface/safetensors)
lays them out: u64 little-endian header length, compact JSON header with "__metadata__" first,
padded with spaces to a multiple of 8, tensors sorted by dtype (descending) then name, data
packed in that order. Each .safetensors file comes with a .expected.json that lists, per tensor,
the dtype, shape, the values numpy decodes, and the raw bytes in hex.

Outputs (committed), in core/src/test/resources/golden/safetensors/:
  numpy_basic.safetensors      one tensor per dtype, metadata, scalar and empty tensors
  numpy_basic.expected.json
  numpy_unordered.safetensors  header keys in a different order from the data, no padding
  numpy_unordered.expected.json

Run from anywhere: /usr/bin/python3 tools/golden/make_safetensors_fixtures.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "core", "src", "test", "resources", "golden", "safetensors")

# Declaration order of the reference's Dtype enum, which its writer sorts by (descending).
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]

NUMPY_DTYPE = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16,
               "U16": np.uint16, "F16": np.float16, "I32": np.int32, "U32": np.uint32,
               "F32": np.float32, "F64": np.float64, "I64": np.int64, "U64": np.uint64}


def bf16_exact(values):
    """BF16 bits of float32 values that bfloat16 represents exactly (checked), as uint16."""
    f = np.asarray(values, dtype=np.float32)
    bits = f.view(np.uint32)
    assert np.all(bits & 0xFFFF == 0), "value not exactly representable in bfloat16"
    return (bits >> 16).astype("<u2")


def tensor(dtype, shape, values):
    """(dtype name, shape, little-endian bytes, values as numpy decodes them)."""
    if dtype == "BF16":
        raw = bf16_exact(values).reshape(shape)
        decoded = (raw.astype(np.uint32) << 16).view(np.float32)
    else:
        raw = np.asarray(values, dtype=NUMPY_DTYPE[dtype]).reshape(shape)
        raw = raw.astype(raw.dtype.newbyteorder("<"))
        decoded = raw
    return dtype, list(shape), raw.tobytes(), decoded.reshape(-1).tolist()


def to_json_values(dtype, values):
    if dtype == "BOOL":
        return [1 if v else 0 for v in values]
    if dtype in ("F16", "BF16", "F32", "F64"):
        return [float(v) for v in values]
    return [int(v) for v in values]


def write(name, tensors, metadata, header_order=None, pad=True, extra=None):
    """Writes <name>.safetensors and <name>.expected.json.

    tensors: dict name -> tensor(...). Data order follows the reference writer's sort.
    header_order: order of the keys in the JSON header (default: data order).
    """
    data_order = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][0]), n))
    offsets, pos = {}, 0
    for n in data_order:
        size = len(tensors[n][2])
        offsets[n] = [pos, pos + size]
        pos += size
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    for n in header_order or data_order:
        dtype, shape, _, _ = tensors[n]
        header[n] = {"dtype": dtype, "shape": shape, "data_offsets": offsets[n]}
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if pad:
        hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for n in data_order:
            f.write(tensors[n][2])
    expected = {
        "generator": "tools/golden/make_safetensors_fixtures.py (numpy " + np.__version__ + ")",
        "metadata": metadata,
        "data_order": data_order,
        "tensors": {
            n: {"dtype": t[0], "shape": t[1], "values": to_json_values(t[0], t[3]),
                "hex": t[2].hex()}
            for n, t in tensors.items()
        },
    }
    if extra:
        expected.update(extra)
    with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)

    # float32 sources of the F16 tensor; numpy rounds them to nearest, ties to even. The Java
    # test encodes the same sources and must produce the same bytes.
    f16_src = np.array([1.0, -2.5, 65504.0, 2.0 ** -24, 2.0 ** -14, 0.1,
                        1.0 + 2.0 ** -11,        # tie between 1 and 1+2^-10 -> 1 (even)
                        1.0 + 3 * 2.0 ** -11,    # tie -> 1+2^-9 (even)
                        2.0 ** -25,              # half the smallest subnormal: tie -> 0 (even)
                        3.0 * 2.0 ** -25,        # tie between 1 and 2 subnormal steps -> 2^-23
                        -0.0, 65519.0],          # 65519 -> 65504
                       dtype=np.float32)
    f16 = tensor("F16", (12,), f16_src.astype(np.float16).astype(np.float64))
    basic = {
        "weight.f32": tensor("F32", (2, 3), [0.5, -1.25, 3.0, 1e-3, 65504.0, -0.0]),
        "half.f16": f16,
        "bf16": tensor("BF16", (5,), [1.0, -2.5, 3.140625, 2.0 ** -130, 3.3895313892515355e38]),
        "scalar.f64": tensor("F64", (), [3.141592653589793]),
        "empty.f32": tensor("F32", (0, 4), []),
        "ids.i64": tensor("I64", (4,), [0, -7, 2 ** 40 + 1, 2 ** 62]),
        "i32": tensor("I32", (3,), [-2 ** 31, 0, 2 ** 31 - 1]),
        "i16": tensor("I16", (2,), [-2 ** 15, 2 ** 15 - 1]),
        "i8": tensor("I8", (2,), [-128, 127]),
        "u64": tensor("U64", (2,), [0, 2 ** 64 - 1]),
        "u32": tensor("U32", (2,), [0, 2 ** 32 - 1]),
        "u16": tensor("U16", (2,), [0, 2 ** 16 - 1]),
        "bytes.u8": tensor("U8", (2, 2), [0, 1, 127, 255]),
        "mask.bool": tensor("BOOL", (3,), [True, False, True]),
    }
    write("numpy_basic", basic, {"format": "pt", "source": "numpy", "note": "ünïcödé ✓"},
          extra={"f16_sources": {"tensor": "half.f16",
                                 "values": [float(v) for v in f16_src]}})

    unordered = {
        "a": tensor("F32", (2,), [1.0, 2.0]),
        "b": tensor("F32", (3,), [3.0, 4.0, 5.0]),
        "c": tensor("I64", (1,), [42]),
        "z.empty": tensor("U8", (0,), []),
    }
    write("numpy_unordered", unordered, {}, header_order=["b", "z.empty", "c", "a"], pad=False)


if __name__ == "__main__":
    main()
