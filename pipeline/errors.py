"""One error type for everything a user can fix; the CLI prints it without a traceback."""


class PetitionError(Exception):
    """A problem with the user's input or setup, worded for the person who has to fix it."""
