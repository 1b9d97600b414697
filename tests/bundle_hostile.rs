//! Reading a zip someone attached to a forum thread is safe: traversal, links leading
//! out, bombs, corruption and foreign files each give a clear error, never a write.

mod common;

use common::*;
use std::io::Write;
use zip::write::SimpleFileOptions;

fn zip_with(
    dir: &std::path::Path,
    name: &str,
    build: impl FnOnce(&mut zip::ZipWriter<std::fs::File>),
) -> String {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    build(&mut zip);
    zip.finish().unwrap();
    path.display().to_string()
}

fn refused(path: &str, expected: &str) {
    let output = run(&["diagnose", "--from", path]);
    assert_eq!(output.status.code(), Some(2), "{path}: {}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(expected), "{path}: expected `{expected}` in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn hostile_zips_are_refused_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let options = SimpleFileOptions::default();
    let traversal = zip_with(dir.path(), "traversal.zip", |z| {
        z.start_file("snapshot/../../etc/cron.d/evil", options).unwrap();
        z.write_all(b"* * * * * root id\n").unwrap();
    });
    refused(&traversal, "leaves the snapshot");
    assert!(!dir.path().join("etc").exists(), "nothing is ever written");

    let link = zip_with(dir.path(), "link.zip", |z| {
        z.start_file("snapshot/proc/cmdline", options).unwrap();
        z.write_all(b"quiet\n").unwrap();
        z.add_symlink("snapshot/etc/pve", "../../../../root/.ssh", options).unwrap();
    });
    refused(&link, "points outside the snapshot");

    let bomb = zip_with(dir.path(), "bomb.zip", |z| {
        z.start_file("snapshot/cmd/dmesg", options.compression_method(zip::CompressionMethod::Deflated))
            .unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..65 {
            z.write_all(&zeros).unwrap();
        }
    });
    refused(&bomb, "zip bomb");

    let corrupt = dir.path().join("corrupt.zip");
    let whole = std::fs::read(&traversal).unwrap();
    std::fs::write(&corrupt, &whole[..whole.len() / 2]).unwrap();
    refused(&corrupt.display().to_string(), "not a readable zip");

    let foreign = dir.path().join("photo.jpg");
    std::fs::write(&foreign, [0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F', b'I', b'F']).unwrap();
    refused(&foreign.display().to_string(), "not a snapshot");
}
