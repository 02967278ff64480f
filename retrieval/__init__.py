"""tanya's stages, one room (subpackage) each: see README "Where things are"."""
