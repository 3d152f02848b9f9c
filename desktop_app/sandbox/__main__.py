"""``python -m desktop_app.sandbox --data-dir DIR``: the sandbox process (started by ``sandbox up``)."""

from desktop_app.sandbox.daemon import main

raise SystemExit(main())
