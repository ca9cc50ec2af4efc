//! The write port of a programmable GRU cell: where every weight, bias and table entry sits
//! in the cfg address space, and what a write changes. docs/gru.md ("Programmable cells")
//! states the map; the RTL decodes the same addresses.
//!
//! An address is {region (3 bits), offset}: region 0 the weights, lane l's word k of group g
//! at offset (l << IB) | (g·M + k), M the MAC cycles of a group, IB = ⌈log₂(G·M)⌉; region 1
//! the biases, lane l's bias of sum s for group g at ((l·4 + s) << GB) | g, GB = ⌈log₂G⌉;
//! regions 2, 3, 4 the sigmoid r, sigmoid z and tanh units, at their own cfg addresses.

use super::spec::{ActTable, CellSpec, Sum};
use crate::unit::{ceil_log2, Arch, Arith, CfgWrite, Field, UnitConfig};
use lutforge_core::{Error, Result};

/// Bits of the region field.
pub const REGION_BITS: u32 = 3;

/// The address map of a cell of `spec` with `lanes` lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CfgMap {
    pub lanes: usize,
    pub groups: usize,
    /// MAC cycles (weights) per group.
    pub mac: usize,
    pub lane_bits: u32,
    pub index_bits: u32,
    pub group_bits: u32,
    pub offset_bits: u32,
    /// Width of cfg_data: the widest weight, bias or table word.
    pub data_bits: u32,
}

/// The LUT unit holding `t`, programmable, one stage.
pub fn act_unit(t: &ActTable, programmable: bool) -> UnitConfig {
    UnitConfig {
        arith: Arith::Int(t.dp),
        arch: Arch::Pwl,
        segments: t.params.segments(),
        lanes: 1,
        stages: 1,
        programmable,
    }
}

/// Where a write lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Lane, group, schedule index.
    Weight {
        lane: usize,
        group: usize,
        k: usize,
    },
    Bias {
        lane: usize,
        sum: Sum,
        group: usize,
    },
    /// Unit 0 (sigmoid r), 1 (sigmoid z), 2 (tanh n), and the entry.
    Table {
        unit: usize,
        field: Field,
        index: usize,
    },
}

impl CfgMap {
    pub fn new(spec: &CellSpec, lanes: usize) -> CfgMap {
        let groups = spec.hidden.div_ceil(lanes.max(1));
        let mac = spec.mac_cycles();
        let lane_bits = ceil_log2(lanes);
        let index_bits = ceil_log2(groups * mac).max(1);
        let group_bits = ceil_log2(groups);
        let units = [&spec.sig_r, &spec.sig_z, &spec.tanh_n].map(|t| act_unit(t, true).widths());
        let offset_bits = (lane_bits + index_bits)
            .max(lane_bits + 2 + group_bits)
            .max(units.iter().map(|w| w.cfg_addr).max().unwrap_or(1));
        let ww = spec.weight_word_bits();
        let nb = spec.bias_word_bits();
        let data_bits = ww
            .max(nb)
            .max(units.iter().map(|w| w.cfg_data).max().unwrap_or(1));
        CfgMap {
            lanes,
            groups,
            mac,
            lane_bits,
            index_bits,
            group_bits,
            offset_bits,
            data_bits,
        }
    }

    /// Bits of cfg_addr.
    pub fn addr_bits(&self) -> u32 {
        REGION_BITS + self.offset_bits
    }

    fn at(&self, region: u64, offset: u64) -> u64 {
        (region << self.offset_bits) | offset
    }

    pub fn weight_addr(&self, lane: usize, group: usize, k: usize) -> u64 {
        self.at(
            0,
            ((lane as u64) << self.index_bits) | (group * self.mac + k) as u64,
        )
    }

    pub fn bias_addr(&self, lane: usize, sum: Sum, group: usize) -> u64 {
        self.at(
            1,
            (((lane * 4 + sum.index()) as u64) << self.group_bits) | group as u64,
        )
    }

    pub fn table_addr(&self, unit: usize, unit_addr: u64) -> u64 {
        self.at(2 + unit as u64, unit_addr)
    }

    /// What `addr` names, if anything (rows beyond H are no target).
    pub fn decode(&self, spec: &CellSpec, addr: u64) -> Option<Target> {
        let region = addr >> self.offset_bits;
        let off = addr & ((1u64 << self.offset_bits) - 1);
        let row_ok = |lane: usize, group: usize| group * self.lanes + lane < spec.hidden;
        match region {
            0 => {
                let lane = (off >> self.index_bits) as usize;
                let idx = (off & ((1u64 << self.index_bits) - 1)) as usize;
                let (group, k) = (idx / self.mac, idx % self.mac);
                (lane < self.lanes && group < self.groups && row_ok(lane, group))
                    .then_some(Target::Weight { lane, group, k })
            }
            1 => {
                let group = (off & ((1u64 << self.group_bits) - 1)) as usize;
                let ls = (off >> self.group_bits) as usize;
                let (lane, s) = (ls / 4, ls % 4);
                (lane < self.lanes && group < self.groups && row_ok(lane, group)).then_some(
                    Target::Bias {
                        lane,
                        sum: Sum::ALL[s],
                        group,
                    },
                )
            }
            2..=4 => {
                let unit = (region - 2) as usize;
                let t = [&spec.sig_r, &spec.sig_z, &spec.tanh_n][unit];
                act_unit(t, true)
                    .decode_addr(off)
                    .map(|(field, index)| Target::Table { unit, field, index })
            }
            _ => None,
        }
    }
}

/// Applies one write to `spec` (checked: the address must name an entry and the data fit its
/// format); returns what it changed.
pub fn apply(spec: &mut CellSpec, map: &CfgMap, c: CfgWrite) -> Result<Target> {
    let t = map.decode(spec, c.addr).ok_or_else(|| {
        Error::input(format!(
            "cell write to address {:#x}, which holds no entry",
            c.addr
        ))
    })?;
    let fits = |v: i64, f: lutforge_core::FixedFormat, what: &str| {
        if f.contains(v) {
            Ok(())
        } else {
            Err(Error::input(format!(
                "cell write of {v} to {what}: outside its {}-bit codes",
                f.bits
            )))
        }
    };
    match t {
        Target::Weight { lane, group, k } => {
            let j = group * map.lanes + lane;
            let (sum, col) = spec.slot(k);
            fits(c.data, spec.weight_format(sum, col), "a weight")?;
            spec.set_weight(sum, j, col, c.data);
        }
        Target::Bias { lane, sum, group } => {
            let j = group * map.lanes + lane;
            let b = &mut spec.b[sum.index()];
            fits(c.data, b.fmt, "a bias")?;
            b.codes[j] = c.data;
        }
        Target::Table { unit, field, index } => {
            let table = match unit {
                0 => &mut spec.sig_r,
                1 => &mut spec.sig_z,
                _ => &mut spec.tanh_n,
            };
            let cfg = act_unit(table, true);
            cfg.check_write(CfgWrite {
                addr: c.addr & ((1u64 << map.offset_bits) - 1),
                data: c.data,
            })
            .map_err(Error::input)?;
            let p = &mut table.params;
            match field {
                Field::Breakpoint => p.breakpoints[index] = c.data,
                Field::Slope => p.slopes[index] = c.data,
                Field::Intercept => p.intercepts[index] = c.data,
            }
        }
    }
    Ok(t)
}
