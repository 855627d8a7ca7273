"""The model: what an account and a site are (typed, validated by pydantic) and the ladder's rules."""
