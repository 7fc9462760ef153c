"""The `kompetens` command: the validator a municipality runs on its file before sending it in."""
