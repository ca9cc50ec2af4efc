"""A table's unit as a PyTorch activation, bit-exact in the forward pass.

`LutActivation(table, scale)` quantizes its input to the unit's input codes (round to nearest,
ties away from zero, saturating), runs the unit (the golden model), and dequantizes the output
codes. Its backward pass is the straight-through estimate of that chain: the slope of the
segment the input's code falls in, times the incoming gradient, and 0 where the input
saturates — so a model can be fine-tuned with the hardware's exact GELU, exp or sigmoid in the
loop, as GQA-LUT's operator does with floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._lutforge import Error, Table, Unit

__all__ = ["LutActivation"]


class _LutFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, unit: Unit) -> torch.Tensor:  # type: ignore[override]
        xd = x.detach().to("cpu", torch.float64).numpy()
        y = unit.dequantize(unit(unit.quantize(xd)))
        ctx.save_for_backward(torch.from_numpy(np.asarray(unit.grad(xd))).to(x.device, x.dtype))
        return torch.from_numpy(np.asarray(y)).to(x.device, x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:  # type: ignore[override]
        (d,) = ctx.saved_tensors
        return grad * d, None


class LutActivation(torch.nn.Module):
    """The unit of `table` at input `scale` as an element-wise activation (any shape)."""

    def __init__(
        self,
        table: Table,
        scale: int | None = None,
        *,
        format: str | None = None,
        arch: str = "pwl",
    ) -> None:
        super().__init__()
        self.unit: Unit = table.unit(scale, format=format, arch=arch)
        if self.unit.arith != "int":
            raise Error("LutActivation quantizes to integer codes: use an integer table")
        self.function: str = table.function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _LutFunction.apply(x, self.unit)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        bits, frac = self.unit.input_format or (0, 0)
        return f"{self.function}, {bits}-bit input, scale {frac}"
