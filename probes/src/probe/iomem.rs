//! `/proc/iomem`: who holds which physical address range, to see a firmware
//! framebuffer sitting in a GPU's BAR (domain.md 8.3).

use crate::collect::Ctx;
use crate::parse::iomem::parse_iomem;
use engine::facts::{Fact, Facts, Provenance};

const PATH: &str = "proc/iomem";

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    let Some(text) = ctx.text(PATH) else { return };
    let (ranges, all_zero) = parse_iomem(&text);
    if all_zero {
        // Without CAP_SYS_ADMIN the kernel prints every address as zero.
        ctx.incomplete(PATH, "addresses read as zero (needs root)");
        return;
    }
    if !ranges.is_empty() {
        facts.memory_map = Some(Fact::new(ranges, Provenance::file(PATH)));
    }
}
