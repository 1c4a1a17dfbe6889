"""Figures and widgets: views only. The numbers they show come from the core modules.

- :mod:`.plotting`: loss contours, live (ipympl) figures, redrawing only what moved;
- :mod:`.lr_panels`: the three panels of lesson 02 (loss gap, fitted line, path) and its static grid;
- :mod:`.lr_widget`: lesson 02's learning-rate widget on top of those panels;
- :mod:`.momentum_widget`: lesson 04's momentum widget (path, gap, the (ηλ, β) stability map);
- :mod:`.race_view`: lesson 05's optimizer race, as small multiples and as a widget.
"""
