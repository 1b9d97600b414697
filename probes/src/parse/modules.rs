//! `/proc/modules`, `modules.builtin` and `modules.alias`.

/// Names of loaded modules (first column of `/proc/modules`).
pub fn parse_proc_modules(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}

/// Module names from `modules.builtin` (`kernel/drivers/vfio/vfio.ko` → `vfio`).
pub fn parse_modules_builtin(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}

/// `modules.alias` entries for PCI (`alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PciAliases {
    pub entries: Vec<(String, String)>,
}

impl PciAliases {
    pub fn parse(text: &str) -> Self {
        let _ = text;
        Self::default()
    }

    /// Modules whose alias glob matches a device's `modalias`
    /// (`pci:v000010DEd00001B80sv00001043sd000085AAbc03sc00i00`), deduplicated in file order.
    pub fn modules_for(&self, modalias: &str) -> Vec<String> {
        let _ = modalias;
        Vec::new()
    }
}
