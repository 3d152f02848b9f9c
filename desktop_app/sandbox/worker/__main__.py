"""``python -m desktop_app.sandbox.worker --data-dir DIR --task TASKID`` (started by the scheduler)."""

from desktop_app.sandbox.worker.task import main

raise SystemExit(main())
