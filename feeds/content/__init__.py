"""Posts: finding the files, reading frontmatter into frozen ``Post`` values, URLs and ids, and
rendering bodies to safe HTML with absolute URLs. Entry points: ``loader.load_site_posts`` and
``render.render_posts``. (Nothing is imported here, so that importing ``content.files`` for a
no-change rebuild stays cheap.)"""
