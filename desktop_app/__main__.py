"""``python -m desktop_app`` is the same entry point as the ``dataprotector-desktop`` command."""

from desktop_app.cli.main import main

raise SystemExit(main())
