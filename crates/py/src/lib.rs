//! The `lutforge._lutforge` extension module: the crates' own types behind a Python face.
//!
//! Nothing here computes what a crate already computes: a table is `lutforge_core::Table`, the
//! unit is the simulator's `Unit` streamed at full throughput, a GRU is `lutforge_gru`'s model
//! and integer model, and a search or a front runs the command's own code path in-process
//! (`lutforge::run_argv`), so its bytes are the command's. Long calls release the GIL. Every
//! error is a `lutforge.Error` (a `ValueError`) carrying the command line's one-line message.

mod distributed;
mod gru;
mod table;

use pyo3::prelude::*;

pyo3::create_exception!(
    _lutforge,
    Error,
    pyo3::exceptions::PyValueError,
    "A lutforge error: the one-line message the command line prints."
);

/// A crate's error as a `lutforge.Error` with its first line.
pub(crate) fn err(e: impl std::fmt::Display) -> PyErr {
    let text = e.to_string();
    Error::new_err(text.lines().next().unwrap_or("").to_string())
}

/// A JSON document as Python objects (dicts, lists, numbers).
pub(crate) fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// Runs one `lutforge` command line in this process; raises `lutforge.Error` with the
/// command's message when it fails. Outputs go where the command line says.
#[pyfunction]
fn run(py: Python<'_>, argv: Vec<String>) -> PyResult<()> {
    py.detach(|| lutforge::run_argv(&argv))
        .map_err(Error::new_err)
}

#[pyfunction]
fn version() -> &'static str {
    lutforge_core::VERSION
}

#[pymodule]
fn _lutforge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    table::register(m)?;
    gru::register(m)?;
    distributed::register(m)?;
    Ok(())
}
