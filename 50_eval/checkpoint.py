"""One file holds a trained mini language model: weights, tokenizer and settings.

A checkpoint is a NumPy ``.npz`` archive: one array per model parameter, plus
``meta``, a JSON document (stored as bytes) with the model's sizes, the tokenizer's
own saved file and its fingerprint, and whatever the training run wants to remember.
The fingerprint is checked on loading: a model is only ever paired with the tokenizer
it was trained with, even if another one has as many tokens. It is written to a
temporary file that then replaces the target, so a crash never leaves half a
checkpoint; a damaged or foreign file is reported by name.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from workbook import implementation

serialization = implementation.load("solutions", "serialization")  # given code, the same in every tree
atomic_file = serialization.atomic_file
TOKENIZERS = {"character_tokenizer": "CharacterTokenizer", "word_tokenizer": "WordTokenizer", "bpe_tokenizer": "SimpleBPETokenizer"}
KIND = "day5_mini_lm"


def saved_file(tokenizer) -> str:
    """The text of the file that ``tokenizer.save`` writes (its own versioned JSON)."""
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer.save(Path(tmp) / "tokenizer.json")
        return (Path(tmp) / "tokenizer.json").read_text(encoding="utf-8")


def fingerprint(tokenizer) -> str:
    """SHA-256 of the tokenizer's saved state as canonical JSON: equal only for tokenizers that encode alike."""
    canonical = json.dumps(json.loads(saved_file(tokenizer)), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def save(path, model, tokenizer, info: dict) -> None:
    """Write ``model``, ``tokenizer`` and ``info`` (JSON-ready) to ``path``, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"kind": KIND, "model": model.config, "tokenizer": saved_file(tokenizer),
            "tokenizer_sha256": fingerprint(tokenizer), "info": info}
    arrays = {f"param.{name}": array for name, array in model.state_dict().items()}
    with atomic_file(path, "wb") as f:
        np.savez(f, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8), **arrays)


def load(path, tokenizers, model_module):
    """``(model, tokenizer, info)`` from a checkpoint written by :func:`save`.

    ``tokenizers`` and ``model_module`` are the modules whose classes rebuild them.
    Anything wrong with the file is a ``ValueError`` naming it: not an archive, damaged
    JSON, weights that are not finite or do not fit the sizes, a tokenizer whose
    vocabulary is not the model's or whose fingerprint is not the one saved with the
    model, an ``info`` that is not a dict.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no checkpoint at {path}: train one first with 50_eval/train_mini_lm.py")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a checkpoint: it is not an .npz archive")
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            state = {key.removeprefix("param."): archive[key] for key in archive.files if key.startswith("param.")}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError, RecursionError) as error:
        raise ValueError(f"{path} is not a readable checkpoint: {error}") from None
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        raise ValueError(f"{path} is not a {KIND} checkpoint")
    try:
        document = json.loads(meta["tokenizer"])
        tokenizer_class = getattr(tokenizers, TOKENIZERS[document["kind"]])
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "tokenizer.json").write_text(meta["tokenizer"], encoding="utf-8")
            tokenizer = tokenizer_class.load(Path(tmp) / "tokenizer.json")
        model = model_module.MiniLanguageModel(**meta["model"])
        model.load_state_dict(state)
        if tokenizer.vocab_size != model.vocab_size:
            raise ValueError(f"its tokenizer has {tokenizer.vocab_size} tokens, its model {model.vocab_size}")
        if fingerprint(tokenizer) != meta.get("tokenizer_sha256"):
            raise ValueError("its tokenizer is not the one its model was trained with (the tokenizer fingerprint differs)")
        info = serialization.check_type("info", meta.get("info", {}), dict)
    except (KeyError, TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"{path} is a damaged checkpoint: {error}") from None
    return model, tokenizer, info
