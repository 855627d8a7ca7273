"""Rendering: typed page contexts, numbers and sentences, Markdown and templates to HTML strings.

Nothing here writes a file: build/write.py does.
"""
