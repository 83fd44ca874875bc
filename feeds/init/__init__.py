"""`feeds init`: recognising a blog's generator and writing its settings (see ``run``)."""
