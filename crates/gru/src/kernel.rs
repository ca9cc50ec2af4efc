//! The integer model's inner loop, prepared once per quantized model: what a search spends its
//! time in (every genome runs every search sequence), so it is laid out for speed.
//!
//! It computes exactly what [`QuantGru::step`](crate::quant::QuantGru::step) computes
//! (docs/gru.md, "One step"), from one layer and its cell description (`QLayer`, `CellSpec`: it
//! knows nothing of the whole model), with every per-row constant precomputed: the weight codes as
//! `i16` (every width is at most 16 bits), packed so that the matrix-vector products run as
//! multiply-adds of 16-bit pairs into 32-bit lanes where the widths allow it (and in `i64` where
//! they do not); every alignment shift and aligned bias of a row; the activation tables read from
//! their tabulation. The elementwise stage runs in `i32` lanes when every one of its sums,
//! products and shifts fits (a straight loop the compiler vectorizes, gathers included, on
//! processors with AVX2, chosen at run time), else in `i64`. A model whose aligned sums need more
//! than 62 bits (wide genomes at extreme scales) has no kernel and runs the reference step, whose
//! `i128` sums hold any genome. `quant`'s `kernel_tests` check it against the reference step on random models
//! and genomes, and `tests/int_reference.rs` checks the whole model against an independent
//! reference.

use crate::layer::QLayer;
use crate::tables::Lut;
use lutforge_core::format::{max_code, min_code};
use lutforge_core::FixedFormat;
use lutforge_sim::gru::{CellSpec, QTensor, Sum};

/// Largest aligned sum, in bits, that the kernel holds in an `i64` with room for the rounding
/// addend.
const NARROW_BITS: u32 = 62;

/// Largest value, in bits (sign included), that the `i32` elementwise stage holds with room
/// for a rounding addend and an addition.
const LANE_BITS: u32 = 30;

/// One requantization of docs/gru.md: round half up by `shift` bits (a left shift when it is
/// negative), saturate to [lo, hi].
#[derive(Clone, Copy, Debug)]
struct Req {
    shift: i32,
    lo: i64,
    hi: i64,
    lanes: Lanes,
}

/// [`Req`]'s constants for 32-bit lanes (see [`Req::apply32`]).
#[derive(Clone, Copy, Debug)]
struct Lanes {
    round: i32,
    right: u32,
    left: u32,
    pre_lo: i32,
    pre_hi: i32,
    lo: i32,
    hi: i32,
}

impl Req {
    fn new(from: i32, to: FixedFormat) -> Req {
        let shift = from - to.frac;
        let (lo, hi) = (min_code(to.bits), max_code(to.bits));
        let right = shift.clamp(0, 31) as u32;
        let left = (-shift).clamp(0, 31) as u32;
        let (lo32, hi32) = (lo as i32, hi as i32);
        Req {
            shift,
            lo,
            hi,
            lanes: Lanes {
                round: (1i32 << right) >> 1,
                right,
                left,
                pre_lo: if left == 0 {
                    i32::MIN
                } else {
                    (lo32 >> left) - 1
                },
                pre_hi: if left == 0 {
                    i32::MAX
                } else {
                    (hi32 >> left) + 1
                },
                lo: lo32,
                hi: hi32,
            },
        }
    }

    #[inline(always)]
    fn apply(self, sum: i64) -> i64 {
        if self.shift > 0 {
            ((sum + (1i64 << (self.shift - 1))) >> self.shift).clamp(self.lo, self.hi)
        } else {
            ((sum as i128) << (-self.shift) as u32).clamp(self.lo as i128, self.hi as i128) as i64
        }
    }
}

impl Lanes {
    /// [`Req::apply`] on 32-bit lanes, for a sum that fits with the rounding addend and a
    /// shift below 31 (checked by [`LayerKernel::new`]), without branches, so that the
    /// elementwise loop vectorizes: a right shift rounds (its addend 0 when the shift is 0); a
    /// left shift is preceded by a clamp just beyond the saturation bounds, which changes no
    /// result and keeps the shifted value within 32 bits.
    #[inline(always)]
    fn apply(self, sum: i32) -> i32 {
        // max/min, not clamp: clamp checks its bounds' order, a branch the vectorizer refuses.
        ((((sum + self.round) >> self.right)
            .max(self.pre_lo)
            .min(self.pre_hi))
            << self.left)
            .max(self.lo)
            .min(self.hi)
    }
}

/// Operand codes are padded with zeros to an even count: the packed product takes them in
/// pairs.
pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(2) * 2
}

/// Whether a dot product of `cols` terms of `a`- and `b`-bit codes fits an `i32`: the sum of
/// the products' magnitudes is below 2^31, and so is every partial sum in any order.
fn fits_i32(a: u32, b: u32, cols: usize) -> bool {
    let terms = usize::BITS - cols.max(1).leading_zeros();
    (a - 1) + (b - 1) + terms <= 31
}

/// A weight matrix (rows × cols codes) packed for its product with a vector of codes.
///
/// When every row's dot product fits an `i32` (`narrow`), rows are taken in blocks of
/// `block` (4, or 8 where AVX2 runs) and columns in pairs: block b, pair p holds the codes
/// w[block·b + i][2p + k] (i < block, k = 0, 1) in the order (i, k), so that one multiply-add
/// of 16-bit pairs into 32-bit lanes (`pmaddwd`) against the pair (v[2p], v[2p + 1]) repeated
/// adds pair p's share to a whole block of rows, and no row needs a horizontal sum.
/// Otherwise the rows are stored as they are and summed in `i64`.
#[derive(Clone, Debug)]
struct Packed {
    rows: usize,
    /// Columns padded to an even count.
    cols: usize,
    narrow: bool,
    block: usize,
    data: Vec<i16>,
}

impl Packed {
    fn new(codes: &[i64], rows: usize, cols: usize, narrow: bool, block: usize) -> Packed {
        let pc = padded(cols);
        let at = |r: usize, c: usize| -> i16 {
            if r < rows && c < cols {
                codes[r * cols + c] as i16
            } else {
                0
            }
        };
        let data = if narrow {
            let mut d = Vec::with_capacity(rows.div_ceil(block) * block * pc);
            for b in 0..rows.div_ceil(block) {
                for p in 0..pc / 2 {
                    for i in 0..block {
                        d.push(at(block * b + i, 2 * p));
                        d.push(at(block * b + i, 2 * p + 1));
                    }
                }
            }
            d
        } else {
            (0..rows)
                .flat_map(|r| (0..pc).map(move |c| (r, c)))
                .map(|(r, c)| at(r, c))
                .collect()
        };
        Packed {
            rows,
            cols: pc,
            narrow,
            block,
            data,
        }
    }

    /// out[r] = row r · v for a narrow matrix, `out` holding whole blocks.
    #[inline(always)]
    fn product32(&self, v: &[i16], out: &mut [i32]) {
        let v = &v[..self.cols];
        for (block, sums) in self
            .data
            .chunks_exact(self.block * self.cols)
            .zip(out.chunks_exact_mut(self.block))
        {
            block_sums(block, v, sums);
        }
    }

    /// out[r] = (row r · v) << shift[r], for `v` of `cols` codes (padding zero).
    #[inline(always)]
    fn product(&self, v: &[i16], shift: &[u32], out: &mut [i64]) {
        let v = &v[..self.cols];
        if !self.narrow {
            for ((o, w), &s) in out
                .iter_mut()
                .zip(self.data.chunks_exact(self.cols))
                .zip(shift)
            {
                let d: i64 = w
                    .iter()
                    .zip(v)
                    .map(|(&a, &b)| i64::from(a) * i64::from(b))
                    .sum();
                *o = d << s;
            }
            return;
        }
        let mut sums = [0i32; 8];
        for (b, block) in self.data.chunks_exact(self.block * self.cols).enumerate() {
            let sums = &mut sums[..self.block];
            block_sums(block, v, sums);
            for (i, &sum) in sums.iter().enumerate() {
                let r = self.block * b + i;
                if r < self.rows {
                    out[r] = i64::from(sum) << shift[r];
                }
            }
        }
    }
}

/// The row sums of one packed block (see [`Packed`]) into `sums` (4 or 8 rows): `pmaddwd` on
/// SSE2, which every x86-64 processor has, or on AVX2 for blocks of eight.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_sums(block: &[i16], v: &[i16], sums: &mut [i32]) {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm256_add_epi32, _mm256_loadu_si256, _mm256_madd_epi16,
        _mm256_set1_epi32, _mm256_setzero_si256, _mm256_storeu_si256, _mm_add_epi32,
        _mm_loadu_si128, _mm_madd_epi16, _mm_set1_epi32, _mm_setzero_si128, _mm_storeu_si128,
    };
    let pair = |p: &[i16]| (u32::from(p[1] as u16) << 16 | u32::from(p[0] as u16)) as i32;
    if sums.len() == 8 {
        // SAFETY: blocks of eight exist only where `LayerKernel::new` found AVX2 (and this
        // runs inside `step_avx2`); every chunk is exactly sixteen i16 (32 bytes) of a live
        // slice and `sums` 32 writable bytes, which the unaligned loads and the store touch
        // and nothing else.
        unsafe {
            let mut acc = _mm256_setzero_si256();
            for (w, p) in block.chunks_exact(16).zip(v.chunks_exact(2)) {
                let w = _mm256_loadu_si256(w.as_ptr().cast::<__m256i>());
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(w, _mm256_set1_epi32(pair(p))));
            }
            _mm256_storeu_si256(sums.as_mut_ptr().cast::<__m256i>(), acc);
        }
        return;
    }
    // SAFETY: SSE2 is part of the x86-64 baseline; every chunk is exactly eight i16 (16 bytes)
    // of a live slice and `sums` 16 writable bytes, which the unaligned loads and the store
    // touch and nothing else.
    unsafe {
        let mut acc = _mm_setzero_si128();
        for (w, p) in block.chunks_exact(8).zip(v.chunks_exact(2)) {
            let w = _mm_loadu_si128(w.as_ptr().cast::<__m128i>());
            acc = _mm_add_epi32(acc, _mm_madd_epi16(w, _mm_set1_epi32(pair(p))));
        }
        _mm_storeu_si128(sums.as_mut_ptr().cast::<__m128i>(), acc);
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_sums(block: &[i16], v: &[i16], sums: &mut [i32]) {
    let n = sums.len();
    sums.iter_mut().for_each(|s| *s = 0);
    for (w, p) in block.chunks_exact(2 * n).zip(v.chunks_exact(2)) {
        for (i, s) in sums.iter_mut().enumerate() {
            *s += i32::from(w[2 * i]) * i32::from(p[0]) + i32::from(w[2 * i + 1]) * i32::from(p[1]);
        }
    }
}

/// Whether this processor runs AVX2 (x86-64 only; elsewhere the portable loops run).
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Working memory of the steps of one sequence, sized by [`Scratch::new`].
pub(crate) struct Scratch {
    wide: Vec<i64>,
    narrow: Vec<i32>,
}

impl Scratch {
    pub(crate) fn new(hidden: usize) -> Scratch {
        Scratch {
            wide: vec![0; 6 * hidden],
            // Both products, each 3H rows rounded up to whole blocks of at most 8.
            narrow: vec![0; 2 * (3 * hidden).div_ceil(8) * 8],
        }
    }
}

/// One layer, prepared.
#[derive(Clone, Debug)]
pub(crate) struct LayerKernel {
    nh: usize,
    /// Input weights of the gates r, z, n (3H rows), and the hidden weights.
    wi: Packed,
    wh: Packed,
    /// Per gate and row (3H): the left shift of the input and of the hidden dot product to
    /// their sum's scale (the row's scale, then the alignment).
    sx: Vec<u32>,
    sh: Vec<u32>,
    /// The aligned biases b_r, b_z (at the r and z sums' scales), b_in (at the n sum's) and
    /// b_hn (at hn's), H each.
    bias: [Vec<i64>; 4],
    /// The same in 32 bits (when `lanes32`).
    bias32: [Vec<i32>; 4],
    /// The requantizations to a_r, a_z, hn, rhn, a_n, zh, zn and h.
    req: [Req; 8],
    rhn_align: u32,
    zn_align: u32,
    zh_align: u32,
    one_z: i64,
    /// The elementwise stage fits `i32` lanes.
    lanes32: bool,
    avx2: bool,
}

/// Indices into `LayerKernel::req`.
const A_R: usize = 0;
const A_Z: usize = 1;
const HN: usize = 2;
const RHN: usize = 3;
const A_N: usize = 4;
const ZH: usize = 5;
const ZN: usize = 6;
const H: usize = 7;

impl LayerKernel {
    /// `None` when a sum of the layer could exceed [`NARROW_BITS`].
    pub(crate) fn new(spec: &CellSpec, layer: &QLayer) -> Option<LayerKernel> {
        LayerKernel::with(spec, layer, has_avx2())
    }

    /// [`LayerKernel::new`], with AVX2 used only if `avx2` (which the processor must have).
    pub(crate) fn with(spec: &CellSpec, layer: &QLayer, avx2: bool) -> Option<LayerKernel> {
        let acc = Sum::ALL.map(|s| spec.acc_bits(s));
        if acc.iter().any(|&b| b > NARROW_BITS) {
            return None;
        }
        let f = &layer.fmt;
        let (h, ni) = (spec.hidden, spec.inputs);
        let block = if avx2 { 8 } else { 4 };
        let stack = |ts: &[QTensor; 3]| -> Vec<i64> {
            ts.iter().flat_map(|t| t.codes.iter().copied()).collect()
        };
        let scales = Sum::ALL.map(|s| spec.scale(s));
        let gate_sum = [Sum::R, Sum::Z, Sum::Nx];
        let mut sx = Vec::with_capacity(3 * h);
        let mut sh = Vec::with_capacity(3 * h);
        for (g, &sum_x) in gate_sum.iter().enumerate() {
            let sum_h = if g == 2 { Sum::Hn } else { sum_x };
            let fx = layer.w_i[g].fmt.frac + layer.input.frac;
            let fh = layer.w_h[g].fmt.frac + f.h.frac;
            for j in 0..h {
                sx.push(layer.w_i[g].row_shift(j) + (scales[sum_x.index()] - fx) as u32);
                sh.push(layer.w_h[g].row_shift(j) + (scales[sum_h.index()] - fh) as u32);
            }
        }
        let bias: [Vec<i64>; 4] =
            Sum::ALL.map(|s| (0..h).map(|j| spec.bias_term(s, j) as i64).collect());
        let xi32 = layer
            .w_i
            .iter()
            .all(|w| fits_i32(w.fmt.bits, layer.input.bits, ni));
        let hi32 = layer.w_h.iter().all(|w| fits_i32(w.fmt.bits, f.h.bits, h));
        let wi = Packed::new(&stack(&layer.w_i), 3 * h, ni, xi32, block);
        let wh = Packed::new(&stack(&layer.w_h), 3 * h, h, hi32, block);
        let u = f.zn.frac.max(f.zh.frac);
        let req = [
            Req::new(scales[Sum::R.index()], f.a_r),
            Req::new(scales[Sum::Z.index()], f.a_z),
            Req::new(scales[Sum::Hn.index()], f.hn),
            Req::new(f.r.frac + f.hn.frac, f.rhn),
            Req::new(scales[Sum::Nx.index()], f.a_n),
            Req::new(f.z.frac + f.h.frac, f.zh),
            Req::new(f.z.frac + f.n.frac, f.zn),
            Req::new(u, f.h),
        ];
        let (zn_align, zh_align) = ((u - f.zn.frac) as u32, (u - f.zh.frac) as u32);
        // The i32 stage: every sum within LANE_BITS (the accumulators' widths bound every
        // partial sum), every product and the state's sum too, every shift below 31.
        let one_z_bits = (f.z.frac + 1).max(f.z.bits as i32) as u32 + 1;
        let lanes32 = xi32
            && hi32
            && acc.iter().all(|&b| b <= LANE_BITS)
            && req.iter().all(|r| r.shift.abs() < 31)
            && f.r.bits + f.hn.bits - 1 <= LANE_BITS
            && f.z.bits + f.h.bits - 1 <= LANE_BITS
            && one_z_bits + f.n.bits - 1 <= LANE_BITS
            && (f.zn.bits + zn_align).max(f.zh.bits + zh_align) < LANE_BITS;
        Some(LayerKernel {
            nh: h,
            wi,
            wh,
            sx,
            sh,
            bias32: bias.clone().map(|b| b.iter().map(|&v| v as i32).collect()),
            bias,
            req,
            rhn_align: (scales[Sum::Nx.index()] - f.rhn.frac) as u32,
            zn_align,
            zh_align,
            one_z: 1i64 << f.z.frac,
            lanes32,
            avx2,
        })
    }

    /// One step: `input` and `h` codes in, h_t into `out` (each padded to an even count with
    /// zeros; the padding of `out` is left as it is).
    pub(crate) fn step(
        &self,
        q: &QLayer,
        input: &[i16],
        h: &[i16],
        out: &mut [i16],
        scratch: &mut Scratch,
    ) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the processor reports AVX2.
            unsafe { self.step_avx2(q, input, h, out, scratch) };
            return;
        }
        self.step_any(q, input, h, out, scratch);
    }

    /// [`LayerKernel::step`] compiled for AVX2: the same code, wider vectors.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn step_avx2(
        &self,
        q: &QLayer,
        input: &[i16],
        h: &[i16],
        out: &mut [i16],
        scratch: &mut Scratch,
    ) {
        self.step_any(q, input, h, out, scratch);
    }

    #[inline(always)]
    fn step_any(
        &self,
        q: &QLayer,
        input: &[i16],
        h: &[i16],
        out: &mut [i16],
        scratch: &mut Scratch,
    ) {
        let nh = self.nh;
        if self.lanes32 {
            let half = scratch.narrow.len() / 2;
            let (gx, gh) = scratch.narrow.split_at_mut(half);
            self.wi.product32(input, gx);
            self.wh.product32(h, gh);
            self.tail32(q, gx, gh, h, out);
        } else {
            let (gx, gh) = scratch.wide.split_at_mut(3 * nh);
            let gh = &mut gh[..3 * nh];
            self.wi.product(input, &self.sx, gx);
            self.wh.product(h, &self.sh, gh);
            self.tail64(q, gx, gh, h, out);
        }
    }

    /// Which paths this layer takes: (the products in `i32`, the elementwise stage in `i32`,
    /// AVX2).
    #[cfg(test)]
    pub(crate) fn paths(&self) -> (bool, bool, bool) {
        (self.wi.narrow && self.wh.narrow, self.lanes32, self.avx2)
    }

    /// The elementwise stage on `i64`.
    #[inline(always)]
    fn tail64(&self, q: &QLayer, gx: &[i64], gh: &[i64], h: &[i16], out: &mut [i16]) {
        let nh = self.nh;
        let (sig_r, sig_z, tanh_n): (&Lut, &Lut, &Lut) = (&q.sig_r, &q.sig_z, &q.tanh_n);
        let [b_r, b_z, b_n, b_hn] = &self.bias;
        let rq = &self.req;
        for j in 0..nh {
            let r = sig_r.lookup(rq[A_R].apply(gx[j] + gh[j] + b_r[j]));
            let z = sig_z.lookup(rq[A_Z].apply(gx[nh + j] + gh[nh + j] + b_z[j]));
            let hn = rq[HN].apply(gh[2 * nh + j] + b_hn[j]);
            let rhn = rq[RHN].apply(r * hn);
            let an_sum = gx[2 * nh + j] + b_n[j] + (rhn << self.rhn_align);
            let n = tanh_n.lookup(rq[A_N].apply(an_sum));
            let zh = rq[ZH].apply(z * i64::from(h[j]));
            let zn = rq[ZN].apply((self.one_z - z) * n);
            out[j] = rq[H].apply((zn << self.zn_align) + (zh << self.zh_align)) as i16;
        }
    }

    /// The elementwise stage on `i32` lanes (see `lanes32`): the same operations, each value
    /// within 30 bits, in a loop without branches.
    #[inline(always)]
    fn tail32(&self, q: &QLayer, gx: &[i32], gh: &[i32], h: &[i16], out: &mut [i16]) {
        let nh = self.nh;
        let (sig_r, sig_z, tanh_n) = (q.sig_r.table(), q.sig_z.table(), q.tanh_n.table());
        let [a_r_q, a_z_q, hn_q, rhn_q, a_n_q, zh_q, zn_q, h_q] = self.req.map(|r| r.lanes);
        let (gx_r, gx_z, gx_n) = (&gx[..nh], &gx[nh..2 * nh], &gx[2 * nh..3 * nh]);
        let (gh_r, gh_z, gh_n) = (&gh[..nh], &gh[nh..2 * nh], &gh[2 * nh..3 * nh]);
        let (sx_r, sx_z, sx_n) = (&self.sx[..nh], &self.sx[nh..2 * nh], &self.sx[2 * nh..]);
        let (sh_r, sh_z, sh_n) = (&self.sh[..nh], &self.sh[nh..2 * nh], &self.sh[2 * nh..]);
        let [b_r, b_z, b_n, b_hn] = &self.bias32;
        let (b_r, b_z, b_n, b_hn) = (&b_r[..nh], &b_z[..nh], &b_n[..nh], &b_hn[..nh]);
        let (h, out) = (&h[..nh], &mut out[..nh]);
        let one_z = self.one_z as i32;
        let (rhn_al, zn_al, zh_al) = (self.rhn_align, self.zn_align, self.zh_align);
        for j in 0..nh {
            let a_r = a_r_q.apply((gx_r[j] << sx_r[j]) + (gh_r[j] << sh_r[j]) + b_r[j]);
            let a_z = a_z_q.apply((gx_z[j] << sx_z[j]) + (gh_z[j] << sh_z[j]) + b_z[j]);
            let r = sig_r.at(a_r);
            let z = sig_z.at(a_z);
            let hn = hn_q.apply((gh_n[j] << sh_n[j]) + b_hn[j]);
            let rhn = rhn_q.apply(r * hn);
            let a_n = a_n_q.apply((gx_n[j] << sx_n[j]) + b_n[j] + (rhn << rhn_al));
            let n = tanh_n.at(a_n);
            let zh = zh_q.apply(z * i32::from(h[j]));
            let zn = zn_q.apply((one_z - z) * n);
            out[j] = h_q.apply((zn << zn_al) + (zh << zh_al)) as i16;
        }
    }
}
