"""MkDocs hook: a page's ``description:`` (search results, link previews) with its values filled.

The page itself is filled by the ``snippets.values`` Markdown extension; the front
matter is not Markdown that the extension sees.
"""


def on_page_markdown(markdown, page, config, files):
    from snippets import values  # the module that `mkdocs serve` imported last

    if isinstance(page.meta.get("description"), str):
        page.meta["description"] = values.fill(page.meta["description"])
    return markdown
