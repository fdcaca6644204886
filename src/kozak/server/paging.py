"""The query parameters every paged list takes: `limit`, `cursor` and `sort`.

A list route takes `page: PageParams` (plus its own filters), hands `page` to the store's
`page_*` method and answers `Page.of_page(found, Schema.of)`:

    @router.get("")
    def list_sweeps(project: ProjectViewer, workspace: WorkspaceDep, page: PageParams,
                    q: NameSearch = None) -> Page[SweepPublic]:
        return Page.of_page(workspace.metadata.page_sweeps(project.id, page, q), SweepPublic.of)

The response is `{"data", "count", "next_cursor"}` (`kozak.server.schemas.Page`); a malformed
cursor or an unknown sort key is a 400 `invalid_page` naming the parameter (`kozak.store.paging`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from kozak.store.paging import DEFAULT_LIMIT, MAX_CURSOR, MAX_LIMIT, PageRequest


async def page_request(  # async: no thread-pool hop (kozak.server.deps)
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR, description="The `next_cursor` of the previous page."),
    ] = None,
    sort: Annotated[
        str,
        Query(
            max_length=40,
            description="A sort key of the list (its description names them); "
            "prefix `-` for descending. Empty: the list's default order.",
        ),
    ] = "",
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor, sort=sort)


PageParams = Annotated[PageRequest, Depends(page_request)]
NameSearch = Annotated[
    str | None, Query(max_length=200, description="Only items whose name contains this (any case).")
]
