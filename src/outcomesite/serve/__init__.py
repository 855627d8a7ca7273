"""The preview: live reload (knows nothing of the site), watching the inputs, and the preview."""
