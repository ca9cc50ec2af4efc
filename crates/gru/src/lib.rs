//! lutforge-gru: gated recurrent units whose every operator has its own bit width.
pub mod data;
