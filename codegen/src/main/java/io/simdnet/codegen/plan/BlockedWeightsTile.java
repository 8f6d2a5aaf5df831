package io.simdnet.codegen.plan;

import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.VectorTarget;

/**
 * The backward-weights register tile of {@link Conv2dAlgorithm#BLOCKED}: {@link #channels()} output channels ×
 * {@link #taps()} consecutive taps of one kernel row, each accumulator a vector of dW over v input channels. Per
 * output position of the batch it loads {@code taps} input vectors (neighbours in the blocked row), broadcasts
 * {@code channels} values of dY and issues {@code channels · taps} FMAs; one work unit (channels, input block,
 * kernel row, run of taps) sums over the whole batch in a fixed order, so dW does not depend on the thread count.
 *
 * <p>Probed on Zen 2 (64→64 3×3 on 16×16, 256-bit vectors): 3 channels × 3 taps ran at 73-80 GFLOP/s on a core
 * (68-76% of its FMA peak, 107.4), 4 × 3 at 48 (16 registers: C2 spills), 2 × 3 at 59.
 */
public record BlockedWeightsTile(int channels, int taps) {

    /** Taps per tile: a 3-wide run covers a 3×3 row; wider kernels take several runs. */
    private static final int MAX_TAPS = 3;
    /** Registers kept free of the tile: the broadcast and C2's temporaries. */
    private static final int RESERVED = 4;

    public BlockedWeightsTile {
        if (channels < 1 || taps < 1) {
            throw new IllegalArgumentException("blocked backward-weights tile: " + channels + " channels × " + taps + " taps");
        }
    }

    /** The largest tile the target's registers hold for a layer of {@code outChannels} and kernel width {@code kernelW}. */
    public static BlockedWeightsTile of(VectorTarget target, int outChannels, int kernelW) {
        int taps = Math.min(MAX_TAPS, kernelW);
        int channels = Math.max(1, Math.min(outChannels, (target.registers() - RESERVED - taps) / taps));
        return new BlockedWeightsTile(channels, taps);
    }
}
