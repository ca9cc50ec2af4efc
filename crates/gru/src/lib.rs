//! lutforge-gru: gated recurrent units whose every operator has its own bit width.
pub mod bptt;
pub mod calibration;
pub mod cell;
pub mod data;
pub mod energy;
pub mod finetune;
pub mod genome;
pub mod import;
pub mod inputs;
mod kernel;
pub mod model;
pub mod model_file;
pub mod onnx;
pub mod pareto;
pub mod quant;
pub mod scoring;
pub mod tables;
pub mod train;
