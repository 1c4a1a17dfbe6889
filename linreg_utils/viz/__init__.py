"""Figures and widgets: views only. The numbers they show come from the core modules.

- :mod:`.plotting`: loss contours, live (ipympl) figures, redrawing only what moved;
- :mod:`.lr_widget`: lesson 02's learning-rate widget and its static twin;
- :mod:`.race_view`: the optimizer race's figure and widget.
"""
