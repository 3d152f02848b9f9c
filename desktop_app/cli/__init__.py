"""The scriptable front end over the same flows as the GUI."""
