//! libvirt domain XML (`/etc/libvirt/qemu/<name>.xml`, `virsh dumpxml`).
//!
//! Read with a real XML parser (attributes may use `'` or `"`), following the element
//! names of <https://libvirt.org/formatdomain.html> and domain.md 6.8. Fields hold what
//! the XML says: an element that is absent leaves its field `None` rather than filling
//! in libvirt's default, except the firmware, where no `efi` firmware and no OVMF loader
//! on x86 means SeaBIOS. Pure: no I/O, never panics; malformed XML is an error.

use engine::facts::{Passthrough, Provenance, Vm, VmCpu, VmManager};
use roxmltree::{Document, Node};

/// The namespace of `<qemu:commandline>` (domain XML "QEMU command-line passthrough").
const QEMU_NAMESPACE: &str = "http://libvirt.org/schemas/domain/qemu/1.0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LibvirtError {
    pub message: String,
}

/// Parses one `<domain>` into a VM: name, machine, firmware/loader, features (kvm hidden,
/// hyperv vendor_id, ioapic), `<iommu>`, and every PCI `<hostdev>` (managed, source
/// address, `<rom bar= file=>`). `from` is the file the XML came from.
pub fn parse_domain_xml(text: &str, from: Provenance) -> Result<Vm, LibvirtError> {
    let doc = Document::parse(text).map_err(|err| malformed(text, &err))?;
    let domain = doc.root_element();
    if !is_libvirt_element(domain, "domain") {
        return Err(LibvirtError {
            message: format!("expected a <domain> root element, found <{}>", domain.tag_name().name()),
        });
    }
    let id = child(domain, "name")
        .and_then(element_text)
        .ok_or_else(|| LibvirtError { message: "<domain> has no <name>".into() })?;
    let os = child(domain, "os");
    let features = child(domain, "features");
    let devices = child(domain, "devices");
    let machine = os.and_then(|os| child(os, "type")).and_then(|kind| attribute(kind, "machine"));
    let passthrough = devices.map(|devices| pci_hostdevs(devices, &from.source)).unwrap_or_default();
    Ok(Vm {
        manager: VmManager::Libvirt,
        id,
        name: child(domain, "title").and_then(element_text),
        q35: machine.as_deref().is_some_and(|machine| machine.contains("q35")),
        machine,
        viommu: devices
            .and_then(|devices| child(devices, "iommu"))
            .and_then(|iommu| attribute(iommu, "model")),
        bios: os.and_then(firmware),
        cpu: child(domain, "cpu").map(parse_cpu),
        // libvirt's `<os><type>` is `hvm`, not a guest OS; autostart lives outside the XML.
        ostype: None,
        vga: devices.and_then(video_model),
        args: qemu_args(domain),
        onboot: None,
        passthrough,
        kvm_hidden: features.and_then(kvm_hidden),
        hv_vendor_id: features.and_then(hv_vendor_id),
        ioapic_driver: features
            .and_then(|features| child(features, "ioapic"))
            .and_then(|ioapic| attribute(ioapic, "driver")),
        snapshots: Vec::new(),
        pending: Vec::new(),
        from,
    })
}

/// Names the line and column of an XML error. roxmltree reports `1:1` for errors found
/// only at the end (a truncated paste), so those point at the end of the text instead;
/// errors about the document as a whole (no root, a DTD) have no position.
fn malformed(text: &str, err: &roxmltree::Error) -> LibvirtError {
    use roxmltree::Error;
    let (row, col) = match err {
        Error::UnexpectedEndOfStream | Error::UnclosedRootNode => end_position(text),
        Error::NoRootNode
        | Error::DtdDetected
        | Error::NodesLimitReached
        | Error::AttributesLimitReached
        | Error::NamespacesLimitReached => {
            return LibvirtError { message: format!("malformed XML: {err}") };
        }
        _ => (err.pos().row, err.pos().col),
    };
    LibvirtError { message: format!("malformed XML at line {row}, column {col}: {err}") }
}

/// The 1-based line and column just after the last character.
fn end_position(text: &str) -> (u32, u32) {
    let last_line = text.rsplit('\n').next().unwrap_or_default();
    let row = text.matches('\n').count().saturating_add(1);
    let col = last_line.chars().count().saturating_add(1);
    (u32::try_from(row).unwrap_or(u32::MAX), u32::try_from(col).unwrap_or(u32::MAX))
}

/// `<os firmware='efi'>`, or a `<loader>` path of an OVMF (edk2) build, means UEFI. On
/// x86 anything else boots SeaBIOS; other architectures are left unknown.
fn firmware(os: Node) -> Option<String> {
    let uefi_loader = child(os, "loader").and_then(|loader| loader.text()).is_some_and(|path| {
        let path = path.to_ascii_lowercase();
        path.contains("ovmf") || path.contains("edk2")
    });
    if os.attribute("firmware") == Some("efi") || uefi_loader {
        return Some("ovmf".into());
    }
    let arch = child(os, "type").and_then(|kind| kind.attribute("arch"));
    matches!(arch, None | Some("x86_64") | Some("i686")).then(|| "seabios".into())
}

/// `<cpu mode=…>`: the `<model>` name when given, else the mode (`host-passthrough`,
/// `host-model`). `<feature>` policies become Proxmox-style `+flag`/`-flag`.
fn parse_cpu(cpu: Node) -> VmCpu {
    VmCpu {
        model: child(cpu, "model").and_then(element_text).or_else(|| attribute(cpu, "mode")),
        hidden: None,
        hv_vendor_id: None,
        flags: children(cpu, "feature").filter_map(cpu_flag).collect(),
        phys_bits: child(cpu, "maxphysaddr").and_then(phys_bits),
    }
}

/// `require` is the policy when none is written; `optional` asks for nothing definite.
fn cpu_flag(feature: Node) -> Option<String> {
    let name = feature.attribute("name").filter(|name| !name.is_empty())?;
    let sign = match feature.attribute("policy").unwrap_or("require") {
        "force" | "require" => '+',
        "disable" | "forbid" => '-',
        _ => return None,
    };
    Some(format!("{sign}{name}"))
}

/// `<maxphysaddr mode='passthrough'/>` is Proxmox's `phys-bits=host`; `mode='emulate'`
/// gives the number in `bits=`.
fn phys_bits(maxphysaddr: Node) -> Option<String> {
    match maxphysaddr.attribute("mode")? {
        "passthrough" => Some("host".into()),
        "emulate" => attribute(maxphysaddr, "bits"),
        _ => None,
    }
}

/// `<features><kvm><hidden state='on'/>` (QEMU `kvm=off`).
fn kvm_hidden(features: Node) -> Option<bool> {
    let hidden = child(features, "kvm").and_then(|kvm| child(kvm, "hidden"))?;
    on_off(hidden.attribute("state")?)
}

/// `<features><hyperv><vendor_id state='on' value='…'/>`; `state='off'` sets none.
fn hv_vendor_id(features: Node) -> Option<String> {
    let vendor_id = child(features, "hyperv").and_then(|hyperv| child(hyperv, "vendor_id"))?;
    (vendor_id.attribute("state") == Some("on")).then(|| attribute(vendor_id, "value")).flatten()
}

/// The first `<video><model type=…>`: `none` is the usual choice next to a passed GPU.
fn video_model(devices: Node) -> Option<String> {
    children(devices, "video")
        .find_map(|video| child(video, "model").and_then(|model| attribute(model, "type")))
}

/// `<qemu:commandline><qemu:arg value='…'/>…`, joined with spaces like Proxmox `args:`.
fn qemu_args(domain: Node) -> Option<String> {
    let args: Vec<&str> = domain
        .children()
        .filter(|node| node.has_tag_name((QEMU_NAMESPACE, "commandline")))
        .flat_map(|commandline| commandline.children())
        .filter(|node| node.has_tag_name((QEMU_NAMESPACE, "arg")))
        .filter_map(|arg| arg.attribute("value"))
        .collect();
    (!args.is_empty()).then(|| args.join(" "))
}

/// Every `<hostdev mode='subsystem' type='pci'>` (`subsystem` is the default mode), keyed
/// `hostdev0`, `hostdev1`, … in document order among the PCI ones. These keys are not
/// libvirt's runtime aliases, which also count USB hostdevs and `<interface
/// type='hostdev'>` (`qemuAssignDeviceHostdevAlias`, libvirt `src/qemu/qemu_alias.c`).
fn pci_hostdevs(devices: Node, source: &str) -> Vec<Passthrough> {
    children(devices, "hostdev")
        .filter(|hostdev| {
            hostdev.attribute("type") == Some("pci")
                && hostdev.attribute("mode").unwrap_or("subsystem") == "subsystem"
        })
        .enumerate()
        .map(|(index, hostdev)| parse_hostdev(hostdev, index, source))
        .collect()
}

fn parse_hostdev(hostdev: Node, index: usize, source: &str) -> Passthrough {
    let row = hostdev.document().text_pos_at(hostdev.range().start).row;
    let mut entry = Passthrough {
        key: format!("hostdev{index}"),
        from: Provenance::line(source, u64::from(row)),
        ..Passthrough::default()
    };
    if let Some(managed) = hostdev.attribute("managed") {
        match yes_no(managed) {
            Some(flag) => entry.managed = Some(flag),
            None => entry.other.push(format!("managed={managed}")),
        }
    }
    if let Some(address) = child(hostdev, "source").and_then(|source| child(source, "address")) {
        match host_address(address) {
            Ok(host) => entry.hosts.push(host),
            Err(invalid) => entry.other.extend(invalid),
        }
    }
    if let Some(rom) = child(hostdev, "rom") {
        if let Some(bar) = rom.attribute("bar") {
            match on_off(bar) {
                Some(flag) => entry.rombar = Some(flag),
                None => entry.other.push(format!("rom bar={bar}")),
            }
        }
        entry.romfile = attribute(rom, "file");
    }
    entry
}

/// The host device from `<source><address domain= bus= slot= function=/>`, as
/// `dddd:bb:ss.f`. libvirt reads each number with base 0 (`0x` hex, leading `0` octal,
/// else decimal) and a missing one as 0 (`virPCIDeviceAddressParseXML`, libvirt
/// `src/conf/device_conf.c`). Out-of-range or unreadable parts come back as `name=value`.
fn host_address(address: Node) -> Result<String, Vec<String>> {
    let mut invalid = Vec::new();
    let mut part = |name: &str, max: u32| {
        let value = address.attribute(name).unwrap_or("0");
        let number = parse_c_unsigned(value).filter(|number| *number <= max);
        if number.is_none() {
            invalid.push(format!("{name}={value}"));
        }
        number.unwrap_or(0)
    };
    let (domain, bus, slot, function) =
        (part("domain", 0xffff), part("bus", 0xff), part("slot", 0x1f), part("function", 7));
    if invalid.is_empty() {
        Ok(format!("{domain:04x}:{bus:02x}:{slot:02x}.{function:x}"))
    } else {
        Err(invalid)
    }
}

/// `strtoul(…, 0)` without its leniency: the whole text must be the number.
fn parse_c_unsigned(text: &str) -> Option<u32> {
    let text = text.trim();
    // Rust's parsers accept a leading `+`; libvirt's rejects signs.
    if text.contains(['+', '-']) {
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix('0').filter(|rest| !rest.is_empty()) {
        u32::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

/// libvirt's `virTristateSwitch` (`state=`, `bar=`).
fn on_off(value: &str) -> Option<bool> {
    match value {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// libvirt's `virTristateBool` (`managed=`).
fn yes_no(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// An element of the domain schema itself (no namespace), so `<qemu:…>` or metadata in
/// other namespaces never match.
fn is_libvirt_element(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace().is_none() && node.tag_name().name() == name
}

fn children<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |child| is_libvirt_element(*child, name))
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &'static str) -> Option<Node<'a, 'input>> {
    children(node, name).next()
}

fn attribute(node: Node, name: &str) -> Option<String> {
    node.attribute(name).map(str::trim).filter(|value| !value.is_empty()).map(String::from)
}

fn element_text(node: Node) -> Option<String> {
    node.text().map(str::trim).filter(|text| !text.is_empty()).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "etc/libvirt/qemu/win10.xml";

    fn parse(text: &str) -> Result<Vm, LibvirtError> {
        parse_domain_xml(text, Provenance::file(SOURCE))
    }

    fn error(text: &str) -> String {
        match parse(text) {
            Ok(vm) => panic!("expected an error, parsed {vm:?}"),
            Err(err) => err.message,
        }
    }

    /// A Windows 10 gaming VM as virt-manager creates it and `virsh dumpxml` prints it:
    /// OVMF with Secure Boot, the GPU and its HDMI audio function passed through, Error 43
    /// workarounds (hidden KVM, Hyper-V vendor id, `-hypervisor`) and a 64-bit MMIO window
    /// set through `<qemu:commandline>`.
    const WIN10: &str = r#"<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>win10</name>
  <uuid>6a3e1d4c-8b2f-4c7e-9d1a-5f0b2e3c4d5a</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://microsoft.com/win/10"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>16777216</memory>
  <currentMemory unit='KiB'>16777216</currentMemory>
  <vcpu placement='static'>8</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>
    <firmware>
      <feature enabled='no' name='enrolled-keys'/>
      <feature enabled='yes' name='secure-boot'/>
    </firmware>
    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd</loader>
    <nvram template='/usr/share/edk2/x64/OVMF_VARS.4m.fd'>/var/lib/libvirt/qemu/nvram/win10_VARS.fd</nvram>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <vapic state='on'/>
      <spinlocks state='on' retries='8191'/>
      <vendor_id state='on' value='randomid'/>
    </hyperv>
    <kvm>
      <hidden state='on'/>
    </kvm>
    <vmport state='off'/>
    <smm state='on'/>
    <ioapic driver='kvm'/>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'>
    <topology sockets='1' dies='1' cores='4' threads='2'/>
    <feature policy='disable' name='hypervisor'/>
  </cpu>
  <clock offset='localtime'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
    <timer name='hypervclock' present='yes'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/win10.qcow2'/>
      <target dev='sda' bus='sata'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='1' port='0x10'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>
    </controller>
    <interface type='network'>
      <mac address='52:54:00:00:00:01'/>
      <source network='default'/>
      <model type='e1000e'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <tpm model='tpm-crb'>
      <backend type='emulator' version='2.0'/>
    </tpm>
    <video>
      <model type='none'/>
    </video>
    <hostdev mode='subsystem' type='usb' managed='yes'>
      <source>
        <vendor id='0x046d'/>
        <product id='0xc52b'/>
      </source>
      <address type='usb' bus='0' port='1'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x0a' slot='0x00' function='0x0'/>
      </source>
      <rom bar='on' file='/var/lib/libvirt/vbios/gtx1070.rom'/>
      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0' multifunction='on'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x0a' slot='0x00' function='0x1'/>
      </source>
      <rom bar='off'/>
      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x1'/>
    </hostdev>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-fw_cfg'/>
    <qemu:arg value='opt/ovmf/X-PciMmio64Mb,string=65536'/>
  </qemu:commandline>
</domain>
"#;

    #[test]
    fn windows_10_domain() {
        let vm = parse(WIN10).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(vm.manager, VmManager::Libvirt);
        assert_eq!(vm.id, "win10");
        assert_eq!(vm.name, None);
        assert_eq!(vm.machine.as_deref(), Some("pc-q35-8.2"));
        assert!(vm.q35);
        assert_eq!(vm.bios.as_deref(), Some("ovmf"));
        assert_eq!(vm.viommu, None);
        assert_eq!(
            vm.cpu,
            Some(VmCpu {
                model: Some("host-passthrough".into()),
                flags: vec!["-hypervisor".into()],
                ..VmCpu::default()
            })
        );
        assert_eq!(vm.kvm_hidden, Some(true));
        assert_eq!(vm.hv_vendor_id.as_deref(), Some("randomid"));
        assert_eq!(vm.ioapic_driver.as_deref(), Some("kvm"));
        assert_eq!(vm.vga.as_deref(), Some("none"));
        assert_eq!(vm.args.as_deref(), Some("-fw_cfg opt/ovmf/X-PciMmio64Mb,string=65536"));
        assert_eq!((vm.ostype, vm.onboot), (None, None));
        assert!(vm.snapshots.is_empty() && vm.pending.is_empty());
        assert_eq!(vm.from, Provenance::file(SOURCE));
    }

    #[test]
    fn windows_10_hostdevs() {
        let vm = parse(WIN10).unwrap_or_else(|err| panic!("{err}"));
        // The USB hostdev is skipped; the guest-side `<address>` is not the host device.
        assert_eq!(
            vm.passthrough,
            vec![
                Passthrough {
                    key: "hostdev0".into(),
                    hosts: vec!["0000:0a:00.0".into()],
                    managed: Some(true),
                    rombar: Some(true),
                    romfile: Some("/var/lib/libvirt/vbios/gtx1070.rom".into()),
                    from: Provenance::line(SOURCE, 90),
                    ..Passthrough::default()
                },
                Passthrough {
                    key: "hostdev1".into(),
                    hosts: vec!["0000:0a:00.1".into()],
                    managed: Some(true),
                    rombar: Some(false),
                    from: Provenance::line(SOURCE, 97),
                    ..Passthrough::default()
                },
            ]
        );
    }

    /// An older i440fx/SeaBIOS guest with a title, a custom CPU model, a vIOMMU as
    /// domain.md 6.8 writes it, and an unmanaged NIC in double-quoted attributes.
    #[test]
    fn seabios_viommu_and_custom_cpu() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- WARNING: THIS IS AN AUTO-GENERATED FILE. -->
<domain type="kvm">
  <name>router</name>
  <title>OPNsense router</title>
  <os>
    <type arch="x86_64" machine="pc-i440fx-6.2">hvm</type>
    <boot dev="hd"/>
  </os>
  <features>
    <acpi/>
    <kvm><hidden state="off"/></kvm>
    <hyperv><vendor_id state="off" value="ignored"/></hyperv>
    <ioapic driver="qemu"/>
  </features>
  <cpu mode="custom" match="exact" check="partial">
    <model fallback="allow">Skylake-Client-IBRS</model>
    <feature policy="require" name="pcid"/>
    <feature name="ssbd"/>
    <feature policy="optional" name="avx"/>
    <feature policy="forbid" name="vmx"/>
    <maxphysaddr mode="emulate" bits="42"/>
  </cpu>
  <devices>
    <iommu model="intel"><driver intremap="on" caching_mode="on"/></iommu>
    <video><model type="vga" vram="16384" heads="1" primary="yes"/></video>
    <video><model type="qxl"/></video>
    <hostdev type="pci" managed="no">
      <source><address domain="0" bus="6" slot="2" function="0"/></source>
    </hostdev>
  </devices>
</domain>"#;
        let vm = parse(xml).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(vm.id, "router");
        assert_eq!(vm.name.as_deref(), Some("OPNsense router"));
        assert_eq!((vm.machine.as_deref(), vm.q35), (Some("pc-i440fx-6.2"), false));
        assert_eq!(vm.bios.as_deref(), Some("seabios"));
        assert_eq!(vm.viommu.as_deref(), Some("intel"));
        assert_eq!(vm.ioapic_driver.as_deref(), Some("qemu"));
        assert_eq!(vm.kvm_hidden, Some(false));
        assert_eq!(vm.hv_vendor_id, None);
        assert_eq!(vm.vga.as_deref(), Some("vga"));
        assert_eq!(vm.args, None);
        assert_eq!(
            vm.cpu,
            Some(VmCpu {
                model: Some("Skylake-Client-IBRS".into()),
                flags: vec!["+pcid".into(), "+ssbd".into(), "-vmx".into()],
                phys_bits: Some("42".into()),
                ..VmCpu::default()
            })
        );
        assert_eq!(vm.passthrough.len(), 1);
        let nic = &vm.passthrough[0];
        assert_eq!(
            (nic.key.as_str(), nic.hosts.clone(), nic.managed),
            ("hostdev0", vec!["0000:06:02.0".to_string()], Some(false))
        );
        assert_eq!(nic.from, Provenance::line(SOURCE, 28));
    }

    #[test]
    fn firmware_from_loader_path() {
        let with_loader = |path: &str| {
            let xml = format!("<domain><name>vm</name><os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' type='pflash'>{path}</loader></os></domain>");
            parse(&xml).map(|vm| vm.bios).unwrap_or_else(|err| panic!("{err}"))
        };
        assert_eq!(with_loader("/usr/share/OVMF/OVMF_CODE.fd").as_deref(), Some("ovmf"));
        assert_eq!(with_loader("/usr/share/edk2-ovmf/x64/OVMF_CODE.fd").as_deref(), Some("ovmf"));
        assert_eq!(with_loader("/usr/share/qemu/edk2-x86_64-code.fd").as_deref(), Some("ovmf"));
        assert_eq!(with_loader("/usr/share/seabios/bios.bin").as_deref(), Some("seabios"));

        let aarch64 =
            parse("<domain><name>arm</name><os><type arch='aarch64' machine='virt'>hvm</type></os></domain>");
        assert_eq!(aarch64.map(|vm| vm.bios), Ok(None));
        let no_os = parse("<domain><name>bare</name></domain>");
        assert_eq!(no_os.map(|vm| (vm.bios, vm.cpu, vm.passthrough.len())), Ok((None, None, 0)));
    }

    #[test]
    fn host_address_numbers() {
        let hostdev = |attributes: &str| {
            let xml = format!("<domain><name>vm</name><devices><hostdev mode='subsystem' type='pci'><source><address {attributes}/></source></hostdev></devices></domain>");
            let vm = parse(&xml).unwrap_or_else(|err| panic!("{err}"));
            vm.passthrough.into_iter().next().map(|entry| (entry.hosts, entry.other))
        };
        let ok = |host: &str| Some((vec![host.to_string()], Vec::<String>::new()));
        assert_eq!(hostdev("domain='0x0000' bus='0x06' slot='0x02' function='0x0'"), ok("0000:06:02.0"));
        assert_eq!(
            hostdev("domain='0x10000' bus='0x06' slot='0x02' function='0x0'").map(|h| h.1),
            Some(vec!["domain=0x10000".to_string()])
        );
        assert_eq!(hostdev("bus='0xC1' slot='0x1f' function='0x7'"), ok("0000:c1:1f.7"));
        assert_eq!(hostdev("bus='010' slot='0' function='0'"), ok("0000:08:00.0"));
        assert_eq!(
            hostdev("bus='0x100' slot='0x20' function='8'"),
            Some((Vec::new(), vec!["bus=0x100".into(), "slot=0x20".into(), "function=8".into()]))
        );
        assert_eq!(
            hostdev("bus='0xzz' slot='-1' function='+1'"),
            Some((Vec::new(), vec!["bus=0xzz".into(), "slot=-1".into(), "function=+1".into()]))
        );
    }

    #[test]
    fn odd_hostdev_attributes_are_kept() {
        let xml = "<domain><name>vm</name><devices>\
                   <hostdev mode='capabilities' type='pci'/>\
                   <hostdev type='pci' managed='true'><rom bar='maybe' file=''/></hostdev>\
                   </devices></domain>";
        let vm = parse(xml).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(vm.passthrough.len(), 1);
        let entry = &vm.passthrough[0];
        assert_eq!((entry.managed, entry.rombar, entry.romfile.as_deref()), (None, None, None));
        assert!(entry.hosts.is_empty());
        assert_eq!(entry.other, vec!["managed=true", "rom bar=maybe"]);
    }

    #[test]
    fn qemu_namespace_is_matched_by_uri() {
        // The prefix is free; only the namespace URI identifies the element, and libvirt
        // elements in another namespace are not the domain's own.
        let xml = "<domain xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0' xmlns:x='urn:other'>\
                   <x:name>wrong</x:name><name>vm</name>\
                   <q:commandline><q:arg value='-set'/><q:env name='A' value='1'/><q:arg value='device.hostdev0.x-vga=on'/></q:commandline>\
                   <x:commandline><x:arg value='-nope'/></x:commandline>\
                   </domain>";
        let vm = parse(xml).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(vm.id, "vm");
        assert_eq!(vm.args.as_deref(), Some("-set device.hostdev0.x-vga=on"));
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let message = error("<domain>\n  <name>vm</name>\n  <os>\n</domain>\n");
        assert!(message.starts_with("malformed XML at line 4, column 1:"), "{message}");
        let message = error("<domain type='kvm'>\n  <name>vm</name");
        assert_eq!(message, "malformed XML at line 2, column 17: unexpected end of stream");
        let message = error("<domain type='kvm'>\n  <name>vm</name>\n");
        assert_eq!(message, "malformed XML at line 3, column 1: the root node was opened but never closed");
        let message = error("<domain type=kvm>");
        assert!(message.starts_with("malformed XML at line 1, column 14:"), "{message}");
        assert_eq!(error(""), "malformed XML: the document does not have a root node");
        // `virsh dumpxml` never writes a DTD; roxmltree refuses one by default.
        let message = error("<!DOCTYPE domain [<!ENTITY a 'x'>]><domain><name>&a;</name></domain>");
        assert_eq!(message, "malformed XML: XML with DTD detected");
    }

    #[test]
    fn wrong_root_or_missing_name() {
        assert_eq!(
            error("<network><name>default</name></network>"),
            "expected a <domain> root element, found <network>"
        );
        assert_eq!(error("<domain type='kvm'><name>  </name></domain>"), "<domain> has no <name>");
        assert_eq!(
            error("<x:domain xmlns:x='urn:other'><name>vm</name></x:domain>"),
            "expected a <domain> root element, found <domain>"
        );
    }

    #[test]
    fn garbage_never_panics() {
        for input in ["<", "<<>>", "\u{0}", "<domain", "<domain/>", "<?xml version='1.0'?>", "ü", "<domain><name>ü</name><devices><hostdev type='pci'><source><address bus='0x'/></source></hostdev></devices></domain>"] {
            let _ = parse(input);
        }
    }
}
