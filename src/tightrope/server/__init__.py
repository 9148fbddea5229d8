"""The local web workbench and its HTTP API (``tightrope serve``).

A thin layer over the Python API (:mod:`tightrope.api`): it computes no model itself. The JSON
documents it returns are the CLI's ``--format json`` documents; its pages reuse the report's
rendering. FastAPI and uvicorn load only when the server starts.
"""
