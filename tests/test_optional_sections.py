"""Optional sections: tagged, stored collapsed, counted apart from the core prose."""

import nbformat

from tools.notebooks import COLLAPSED, OPTIONAL_TAG, _set_optional, optional_sections
from tools.word_counts import word_counts


def notebook(*sources):
    cells = [nbformat.v4.new_markdown_cell(s) if not s.startswith("print") else nbformat.v4.new_code_cell(s)
             for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def test_an_optional_section_runs_to_the_next_heading_of_its_level_or_higher():
    nb = notebook("# Title", "## Core", "### Proof (optional)\nwords here", "print(1)",
                  "#### deeper", "### Next", "## Summary")
    assert optional_sections(nb) == [range(2, 5)]
    _set_optional(nb)
    assert [OPTIONAL_TAG in c.metadata.get("tags", []) for c in nb.cells] == \
        [False, False, True, True, True, False, False]
    assert [c.metadata.get(COLLAPSED, False) for c in nb.cells] == [False, False, True] + [False] * 4


def test_retagging_removes_stale_tags_and_collapse():
    nb = notebook("## Proof (optional)", "text", "## Summary")
    _set_optional(nb)
    nb.cells[0].source = "## Proof"
    _set_optional(nb)
    assert all("tags" not in c.metadata and COLLAPSED not in c.metadata for c in nb.cells)


def test_word_counts_split_core_and_optional():
    nb = notebook("# Title two", "## Core\none two three", "## Depth (OPTIONAL)\nfour five", "## Summary")
    assert word_counts(nb) == (2 + 1 + 3 + 1, 2 + 2)
