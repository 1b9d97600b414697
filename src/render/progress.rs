//! A one-line status for steps that can take a while (reading a ROM, collecting a host,
//! writing a report): shown on a terminal, silent in pipes and redirections.

use std::io::{IsTerminal, Write};

pub struct Progress {
    shown: bool,
}

impl Progress {
    pub fn start(message: &str) -> Self {
        let shown = std::io::stderr().is_terminal();
        if shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{message}…");
            let _ = err.flush();
        }
        Self { shown }
    }
}

impl Drop for Progress {
    /// Clears the status line, so the result prints where it stood.
    fn drop(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
