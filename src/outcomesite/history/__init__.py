"""History: what Git says about each account file (versions, drafts, old files, reused slugs)."""
