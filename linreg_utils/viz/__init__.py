"""Figures and widgets: views only. The numbers they show come from the core modules.

Every view a lesson uses is importable from here (``from linreg_utils.viz import lr_widget``):

- :mod:`.plotting`: loss contours, live (ipympl) figures, redrawing only what moved;
- :mod:`.lr_panels`: the three panels of lesson 02 (loss gap, fitted line, path) and its static grid;
- :mod:`.lr_widget`: lesson 02's learning-rate widget on top of those panels;
- :mod:`.momentum_widget`: lesson 04's momentum widget (path, gap, the (ηλ, β) stability map);
- :mod:`.race_view`: lesson 05's optimizer race, as small multiples and as a widget;
- :mod:`.edge_view`: lesson 05's loss gap and preconditioned sharpness of one run.
"""

from .edge_view import sharpness_panels
from .lr_panels import lr_grid, lr_scale
from .lr_widget import lr_widget, readout_text
from .momentum_widget import MomentumWidget, momentum_grid
from .plotting import draw_loss_contours
from .race_view import RaceWidget, race_panels

__all__ = ["MomentumWidget", "RaceWidget", "draw_loss_contours", "lr_grid", "lr_scale", "lr_widget",
           "momentum_grid", "race_panels", "readout_text", "sharpness_panels"]
