//! The unit's pipeline registers, named as in the RTL.

/// Every register of `lutforge_unit`, named as in the RTL. Data words are signed codes for
/// integer units and binary32 bit patterns (zero-extended) for FP32; registers of a stage the
/// configuration leaves out stay at their reset value. Lane l of a packed bus is element l of
/// its slice. The data registers share one allocation, one register after another, each
/// `lanes` words long, so a clock edge reaches all of them through one base address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub s1_valid: bool,
    pub s2_valid: bool,
    pub s3_valid: bool,
    pub s4_valid: bool,
    pub(super) lanes: usize,
    pub(super) regs: Vec<i64>,
}

/// Positions of the data registers in `State::regs`, in units of `lanes` words.
pub(crate) const S1_X: usize = 0;
pub(crate) const S2_X: usize = 1;
pub(crate) const S2_SEG: usize = 2;
pub(crate) const S3_PROD: usize = 3;
pub(crate) const S3_ICPT: usize = 4;
pub(crate) const S4_Y: usize = 5;
pub(super) const DATA_REGS: usize = 6;

impl State {
    pub(super) fn reset(lanes: usize) -> State {
        State {
            s1_valid: false,
            s2_valid: false,
            s3_valid: false,
            s4_valid: false,
            lanes,
            regs: vec![0; DATA_REGS * lanes],
        }
    }

    #[inline]
    pub(super) fn reg(&self, r: usize) -> &[i64] {
        &self.regs[r * self.lanes..(r + 1) * self.lanes]
    }

    #[inline]
    pub(super) fn get(&self, r: usize, lane: usize) -> i64 {
        self.regs[r * self.lanes + lane]
    }

    #[inline]
    pub(super) fn set(&mut self, r: usize, lane: usize, v: i64) {
        self.regs[r * self.lanes + lane] = v;
    }

    pub fn s1_x(&self) -> &[i64] {
        self.reg(S1_X)
    }

    pub fn s2_x(&self) -> &[i64] {
        self.reg(S2_X)
    }

    /// Segment indices.
    pub fn s2_seg(&self) -> &[i64] {
        self.reg(S2_SEG)
    }

    pub fn s3_prod(&self) -> &[i64] {
        self.reg(S3_PROD)
    }

    pub fn s3_icpt(&self) -> &[i64] {
        self.reg(S3_ICPT)
    }

    #[inline]
    pub fn s4_y(&self) -> &[i64] {
        self.reg(S4_Y)
    }
}
