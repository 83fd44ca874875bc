"""Feeds: the format table, the RSS/Atom (feedgen) and JSON Feed writers, and the build of every
feed file's bytes. Entry point: ``build.build_feeds``."""
