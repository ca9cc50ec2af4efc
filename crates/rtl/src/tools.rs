//! The external programs lutforge drives. A missing one is a usage error naming the Debian
//! package (`make deps` installs all three), never a silent skip.

use lutforge_core::io::cleanup::output_of;
use lutforge_core::{Error, Result};
use std::path::Path;
use std::process::{Command, Output};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Verilator,
    Yosys,
    Iverilog,
    Vvp,
}

impl Tool {
    pub fn program(self) -> &'static str {
        match self {
            Tool::Verilator => "verilator",
            Tool::Yosys => "yosys",
            Tool::Iverilog => "iverilog",
            Tool::Vvp => "vvp",
        }
    }

    pub fn package(self) -> &'static str {
        match self {
            Tool::Verilator => "verilator",
            Tool::Yosys => "yosys",
            Tool::Iverilog | Tool::Vvp => "iverilog",
        }
    }

    /// Whether the program runs at all.
    pub fn available(self) -> bool {
        Command::new(self.program())
            .arg(if self == Tool::Vvp { "-V" } else { "--version" })
            .output()
            .is_ok()
    }

    pub fn require(self) -> Result<()> {
        if self.available() {
            Ok(())
        } else {
            Err(Error::input(format!(
                "{} not found: install it with 'apt-get install {}' (or run 'make deps')",
                self.program(),
                self.package()
            )))
        }
    }

    /// Runs the tool in `dir`; a non-zero exit becomes an error carrying the first line of its
    /// diagnostics that looks like an error, so one line says what went wrong.
    pub fn run(self, dir: &Path, args: &[&str]) -> Result<Output> {
        self.require()?;
        let out = output_of(Command::new(self.program()).args(args).current_dir(dir))
            .map_err(|e| Error::input(format!("{}: {e}", self.program())))?;
        if !out.status.success() {
            return Err(Error::input(format!(
                "{} failed: {}",
                self.program(),
                first_error(&out)
            )));
        }
        Ok(out)
    }
}

/// The first diagnostic line worth showing: one mentioning an error, else the last line.
pub fn first_error(out: &Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| l.contains("error") || l.contains("Error") || l.contains("ERROR"))
        .or(lines.last())
        .map(|l| l.to_string())
        .unwrap_or_else(|| format!("exit status {}", out.status))
}
