//! The output files of one command, opened before its work starts: a path that cannot be
//! written, two outputs that are one file, or an output that is also an input fail at once,
//! before any time is spent and before anything is written.

use lutforge_core::io::{self, Output};
use std::path::Path;

use crate::error::CliResult;

/// Opens every output (see `lutforge_core::io::Output`); `inputs` are the files the command
/// reads, which no output may replace.
pub fn open(outputs: &[&Path], inputs: &[&Path]) -> CliResult<Vec<Output>> {
    io::refuse_same_place(outputs)?;
    for o in outputs {
        io::refuse_overwrite(o, inputs)?;
    }
    Ok(outputs
        .iter()
        .map(|p| Output::create(p))
        .collect::<Result<_, _>>()?)
}

/// Opens one output.
pub fn open_one(output: &Path, inputs: &[&Path]) -> CliResult<Output> {
    Ok(open(&[output], inputs)?.remove(0))
}

/// Writes `bytes` into an opened output and commits it.
pub fn finish(out: Output, bytes: &[u8]) -> CliResult {
    finish_all(vec![(out, bytes.to_vec())])
}

/// Writes and syncs every output, then commits them: a write that fails (a full disk) leaves
/// none of them in place.
pub fn finish_all(outs: Vec<(Output, Vec<u8>)>) -> CliResult {
    let mut ready = Vec::with_capacity(outs.len());
    for (mut o, bytes) in outs {
        // A closed pipe (`-o /dev/stdout | head`) ends the run as any closed stdout does.
        let r = o.write_bytes(&bytes).and_then(|_| o.sync());
        if let Err(e) = r {
            return Err(if o.broken_pipe() {
                crate::error::CliError::broken_pipe()
            } else {
                e.into()
            });
        }
        ready.push(o);
    }
    for o in ready {
        o.commit()?;
    }
    Ok(())
}
