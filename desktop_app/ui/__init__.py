"""The PySide6 front end. It only draws flows; protocol logic never lives here."""
