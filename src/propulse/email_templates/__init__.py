"""E-mail templates: subject, preheader and body per language, rendered in a sandbox."""
