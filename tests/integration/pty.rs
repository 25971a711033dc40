//! The real binary in a pseudo-terminal, for tests/integration/review.rs and the
//! review latency benchmark: keys in, the screen read back through vt100.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub use portable_pty::CommandBuilder;
use portable_pty::{native_pty_system, Child, MasterPty, PtySize};

/// The real binary in a pseudo-terminal, its screen kept by vt100.
pub struct Term {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// The screen, and a signal on each change.
    screen: Arc<(Mutex<vt100::Parser>, Condvar)>,
    /// Everything written, for what is printed outside the full screen.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Term {
    /// Starts `cmd` in a `rows` x `cols` terminal.
    pub fn spawn(mut cmd: CommandBuilder, rows: u16, cols: u16) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new((Mutex::new(vt100::Parser::new(rows, cols, 0)), Condvar::new()));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    // A signal (the child's exit, a resize) is no end of output.
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                s.0.lock().unwrap().process(&buf[..n]);
                s.1.notify_all();
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Term {
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    /// Waits until the screen shows `text` (wrapped or not); the screen,
    /// if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        let want = flat(text);
        self.wait_until(text, |screen| flat(screen).contains(&want))
    }

    /// Waits until `done` holds of the screen (a frame may arrive in
    /// several writes: test all that it must show at once).
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let (lock, changed) = &*self.screen;
        let mut parser = lock.lock().unwrap();
        loop {
            let screen = parser.screen().contents();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                drop(parser);
                panic!("{what:?} never showed; screen:\n{screen}\noutput:\n{}", self.output());
            }
            parser = changed.wait_timeout(parser, Duration::from_millis(100)).unwrap().0;
        }
    }

    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// One key, then the status line's count of questions done.
    pub fn key_then_done(&mut self, key: &str, done: usize, total: usize) {
        self.keys(key);
        self.wait_for(&format!(" {done}/{total} done"));
    }

    /// Waits until the program has written nothing for `quiet` (it has
    /// dealt with every key sent).
    pub fn settle(&self, quiet: Duration) {
        let mut seen = self.raw.lock().unwrap().len();
        loop {
            std::thread::sleep(quiet);
            let now = self.raw.lock().unwrap().len();
            if now == seen {
                return;
            }
            seen = now;
        }
    }

    /// Resizes the terminal, as a window manager does. The emulator starts
    /// afresh at the new size (the program redraws all of it on a resize),
    /// and before the program is told, so that no frame drawn at the new
    /// size is read at the old.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let mut parser = self.screen.0.lock().unwrap();
        *parser = vt100::Parser::new(rows, cols, 0);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// The exit code, once the process has ended, and all it wrote.
    pub fn finish(mut self) -> (u32, String) {
        let status = self.child.wait().unwrap();
        // The reader thread drains the rest of the output.
        std::thread::sleep(Duration::from_millis(200));
        (status.exit_code(), self.output())
    }

    pub fn sigkill(mut self) {
        let pid = self.child.process_id().unwrap() as libc::pid_t;
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        self.child.wait().unwrap();
    }
}

/// Words joined by single spaces: text as wrapped on screen, unwrapped.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The status line's total: questions in the queue.
pub fn total(screen: &str) -> usize {
    let line = screen
        .lines()
        .find(|l| l.contains(" done · session"))
        .expect("a status line");
    let (_, after) = line.split_once('/').unwrap();
    after.split_whitespace().next().unwrap().parse().unwrap()
}
