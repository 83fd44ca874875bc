"""Sending: the scheduled send job, its journal (SQLite), the subscriber list and the transport
(SMTP). Entry point: ``job.run_send``."""
