"""Collect a page's faults while a browser test walks through it."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Error, Page, Request, Response


def watch_page(page: Page, problems: list[str], current: dict[str, str]) -> None:
    """Append to ``problems`` every 4xx/5xx response, failed request, console
    error and script error of ``page``, each prefixed by ``current["url"]``
    (the page the test was on).  ERR_ABORTED is the browser cancelling a
    page's late request (Swagger's openapi.json) when the test moves on: a
    navigation, not a fault."""

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{current['url']}: {response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"{current['url']}: failed {request.url} ({request.failure})")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"{current['url']}: console {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"{current['url']}: script error {error}")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
