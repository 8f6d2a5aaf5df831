package io.simdnet.bench;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dSpec;

/** The convolution layers the benchmarks and ../shared/peers/conv.py time, by name, with their batch size. */
public enum ConvLayers {
    CS231N_B100(100, Conv2dSpec.of(DType.F32, 3, 31, 31, 25, 3, 3, 2, 1, true, false)),
    LENET_C1_B32(32, Conv2dSpec.same(DType.F32, 1, 28, 28, 6, 5, 5, 1, true, false)),
    LENET_C1_B128(128, Conv2dSpec.same(DType.F32, 1, 28, 28, 6, 5, 5, 1, true, false)),
    LENET_C3_B32(32, Conv2dSpec.valid(DType.F32, 6, 14, 14, 16, 5, 5, 1, true, false)),
    LENET_C3_B128(128, Conv2dSpec.valid(DType.F32, 6, 14, 14, 16, 5, 5, 1, true, false)),
    LENET_C5_B32(32, Conv2dSpec.valid(DType.F32, 16, 5, 5, 120, 5, 5, 1, true, false)),
    LENET_C5_B128(128, Conv2dSpec.valid(DType.F32, 16, 5, 5, 120, 5, 5, 1, true, false)),
    CIFAR_3TO32_B64(64, Conv2dSpec.of(DType.F32, 3, 32, 32, 32, 3, 3, 1, 1, true, false)),
    CIFAR_32TO32_B64(64, Conv2dSpec.of(DType.F32, 32, 32, 32, 32, 3, 3, 1, 1, true, false)),
    CIFAR_64TO64_B64(64, Conv2dSpec.of(DType.F32, 64, 16, 16, 64, 3, 3, 1, 1, true, false)),
    /** cifar-best's widest layer (no peer in conv.py: cifar_best.py times the whole network). */
    CIFAR_128TO128_8X8_B64(64, Conv2dSpec.of(DType.F32, 128, 8, 8, 128, 3, 3, 1, 1, true, false)),
    /** A residual network's downsampling 3×3 of stride 2, 64→128 from 16×16 to 8×8 (no peer in conv.py). */
    STRIDED_64TO128_B64(64, Conv2dSpec.of(DType.F32, 64, 16, 16, 128, 3, 3, 2, 1, true, false));

    final int batch;
    final Conv2dSpec spec;

    ConvLayers(int batch, Conv2dSpec spec) {
        this.batch = batch;
        this.spec = spec;
    }
}
