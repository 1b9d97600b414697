//! Probes: each reads one area of the host through [`crate::collect::Ctx`] and fills
//! its part of the facts. Parsing is delegated to [`crate::parse`].

pub mod boot;
pub mod cpu;
pub mod iomem;
pub mod iommu;
pub mod kernel;
pub mod kernel_log;
pub mod modules;
pub mod pci;
pub mod roms;
pub mod virt;
pub mod vms;
