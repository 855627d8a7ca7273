"""Starting points: `new` (an account file) and `init` (a whole site, with its CI workflows)."""
