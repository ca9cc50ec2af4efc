//! lutforge-search: finds the breakpoints, slopes and intercepts of a LUT table.
