"""The frozen app's entry point: ``desktop_app.frozen.main`` (hidden process forms, then the command line)."""

from desktop_app.frozen import main

raise SystemExit(main())
