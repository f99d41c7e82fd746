"""MkDocs hook: accessibility fixes to Material's HTML that its options lack."""

# axe "aria-dialog-name": Material's search dialog has no accessible name.
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_DIALOG = SEARCH_DIALOG.replace('role="dialog"', 'role="dialog" aria-label="Search"')


def on_post_page(output, page, config):
    return output.replace(SEARCH_DIALOG, NAMED_DIALOG)
