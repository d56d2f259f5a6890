"""Lets the peers run their best kernels on this CPU. Import it before numpy or torch.

OpenBLAS picks its kernels when the library loads, from OPENBLAS_CORETYPE if set, else from the
CPU it recognizes. This workplace's environment sets OPENBLAS_CORETYPE=Haswell, which holds
OpenBLAS to AVX2 on an AVX-512 CPU: about 250 GFLOP/s on 2 cores of the AMD EPYC (Zen 5) where
its own choice (Cooperlake, AVX-512) reaches 460. PyTorch 1.13's ATen likewise dispatches its
element-wise kernels at AVX2 there. A peer held back like that would flatter Fathom, so on a CPU
with AVX-512 this
  - drops an inherited OPENBLAS_CORETYPE that names a core without AVX-512 kernels,
  - sets OPENBLAS_CORETYPE=SkylakeX if OpenBLAS's own detection still picks such a core (an old
    OpenBLAS on a newer CPU),
  - sets ATEN_CPU_CAPABILITY=avx512 unless the caller set it,
and says so on stderr. `FATHOM_PEER_DEFAULTS=1` turns all of it off (the peer as the environment
configures it).
"""
import os
import subprocess
import sys

# OpenBLAS cores with AVX-512 kernels (lower case, as openblas_get_corename reports them).
_AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids", "zen4", "zen5"}
_LIBS = ("libopenblas.so.0", "libblas.so.3")


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def openblas_core():
    """The core OpenBLAS selects in a fresh process under the current environment, or None."""
    probe = ("import ctypes\n"
             "for name in %r:\n"
             "    try:\n"
             "        lib = ctypes.CDLL(name)\n"
             "        f = lib.openblas_get_corename\n"
             "    except (OSError, AttributeError):\n"
             "        continue\n"
             "    f.restype = ctypes.c_char_p\n"
             "    print(f().decode())\n"
             "    break\n") % (_LIBS,)
    try:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    name = out.stdout.strip().lower()
    return name or None


def tune(log=sys.stderr):
    """Sets the variables described above; returns a one-line summary of what the peer runs."""
    if os.environ.get("FATHOM_PEER_DEFAULTS") == "1":
        summary = "peer as the environment configures it (FATHOM_PEER_DEFAULTS=1)"
        if log is not None:
            print(summary, file=log)
        return summary
    flags = _cpu_flags()
    avx512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"} <= flags
    notes = []
    forced = os.environ.get("OPENBLAS_CORETYPE")
    if avx512 and forced is not None and forced.lower() not in _AVX512_CORES:
        del os.environ["OPENBLAS_CORETYPE"]
        notes.append(f"dropped the inherited OPENBLAS_CORETYPE={forced} (no AVX-512 kernels on an AVX-512 CPU)")
    if avx512 and "OPENBLAS_CORETYPE" not in os.environ:
        core = openblas_core()
        if core is not None and core not in _AVX512_CORES:
            os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
            notes.append(f"OPENBLAS_CORETYPE=SkylakeX (OpenBLAS chose {core} on an AVX-512 CPU)")
        elif core is not None:
            notes.append(f"OpenBLAS core {core}")
    if avx512 and "ATEN_CPU_CAPABILITY" not in os.environ:
        os.environ["ATEN_CPU_CAPABILITY"] = "avx512"
        notes.append("ATEN_CPU_CAPABILITY=avx512")
    summary = "peer tuned: " + ", ".join(notes) if notes else "peer as the environment configures it (no AVX-512)"
    if log is not None:
        print(summary, file=log)
    return summary
