"""The third layer of reply templates, by intent.

Written like the second layer (see `corpus_layer2`), by authors who saw
only the training templates of the first two layers.
"""

from __future__ import annotations

TEMPLATES: dict[str, list[tuple[str, str]]] = {}
