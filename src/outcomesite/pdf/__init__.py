"""PDFs: jobs and limits (no WeasyPrint), the locked-down fetcher, the renderer, the cache, and
the worker pool that holds every render to its time and memory limits."""
