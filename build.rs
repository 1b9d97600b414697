//! The rule set is compiled into the binary (`include_dir!` in src/rules.rs); rebuild
//! whenever a rule file is added, changed or removed.

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=report-templates");
}
