"""One task's worker process: pre-compute, app, post-compute in a simulated enclave, then contribute.

It runs as ``python -m desktop_app.sandbox.worker --data-dir DIR --task TASKID``, started by the pool's
scheduler. Everything it knows about the task comes from the chain, the sandbox's stores and the journal,
so a restarted worker simply starts the task again and resumes where the chain says it is.
"""
