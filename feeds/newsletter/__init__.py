"""Newsletter issues: post selection, Jinja2 templates, premailer's CSS inlining and the MIME
message. Entry point: ``build.build_newsletter``."""
