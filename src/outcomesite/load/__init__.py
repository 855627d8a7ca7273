"""Loading: files to typed, validated accounts and located diagnostics (`check` is this stage)."""
