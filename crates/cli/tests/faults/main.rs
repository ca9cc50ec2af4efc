//! Fault injection through the binary: every defect of the I/O and resource audit is a test
//! here, each asserting the exit code, one error line, no panic, no stray or partial file and
//! earlier files intact.

mod harness;

mod direct_table;
mod full_disk;
mod gru_faults;
mod inputs;
mod outputs;
mod signals;
mod sizes;
mod streams;
