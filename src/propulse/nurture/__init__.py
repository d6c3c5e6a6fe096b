"""Nurturing sequences: steps, enrolments, sending windows, exit goals and their figures."""
