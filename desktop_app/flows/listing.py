"""List the owner's protected data: from the chain on the local network, from the DataProtector subgraph
on public ones, merged with the local protect journal (so an unfinished protect shows, with its step)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.subgraph import SubgraphClient
from desktop_app.core.store.protect_jobs import JobState, ProtectJobs


@dataclass(frozen=True)
class ProtectedItem:
    address: str  # empty while a protect has not reached the chain
    name: str
    schema: str
    state: str  # a JobState value; "protected" for data found on the network
    error: str
    job_id: str


async def list_protected(profile: NetworkProfile, owner: str, jobs: ProtectJobs) -> list[ProtectedItem]:
    if profile.data_protector_subgraph:
        async with SubgraphClient(profile) as graph:
            entries = await graph.protected_data_of(owner)
        found = {
            e.address.lower(): ProtectedItem(e.address, e.name, ",".join(e.schema), "protected", "", "")
            for e in entries
        }
    else:
        async with PocoClient(profile) as chain:
            addresses = await chain.datasets_of(owner)
            schemas = await chain.dataset_schemas(addresses)
            names = {a: (await chain.view_dataset(a)).name for a in addresses}
        found = {
            a.lower(): ProtectedItem(a, names[a], schemas.get(a, ""), "protected", "", "") for a in addresses
        }
    for job in jobs.of_owner(profile.name, owner):
        key = job.dataset.lower()
        if key and key in found:
            # Known on chain; the journal adds whether the key reached the SMS and which job made it.
            found[key] = ProtectedItem(job.dataset, job.name, job.schema, job.state, job.error, job.id)
        elif job.state != JobState.CANCELLED:
            found[job.id] = ProtectedItem(job.dataset, job.name, job.schema, job.state, job.error, job.id)
    return list(found.values())
