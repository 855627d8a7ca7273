"""The model: what an account and a site are (typed msgspec Structs) and the ladder's rules."""
