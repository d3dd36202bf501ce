"""Portal pages for staff."""
