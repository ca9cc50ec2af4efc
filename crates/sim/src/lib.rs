//! lutforge-sim: the cycle-accurate model of the LUT unit, its waveforms and its cost.
