"""Glossaries: market packs and project layers as validated data."""

from .loader import Glossary, LoadedEntry, default_glossary_dir, load_glossaries, parse_pack

__all__ = ["Glossary", "LoadedEntry", "default_glossary_dir", "load_glossaries", "parse_pack"]
