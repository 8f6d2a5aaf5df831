package io.simdnet.kernel.spec;

import java.util.Locale;

/**
 * How a convolution is computed. A spec names {@link #AUTO} unless a caller (a test, a benchmark, the tuner)
 * asks for one algorithm; the code generator's {@code Conv2dAlgorithmPlan} turns AUTO into one of the others by the rule
 * documented there.
 */
public enum Conv2dAlgorithm {
    /** Chosen by the plan's rule from the geometry. */
    AUTO,
    /**
     * im2col and col2im around three GEMMs: forward Y (OC × P) = W (OC × PATCH) · col (PATCH × P);
     * backward-data dcol (PATCH × P) = Wᵀ · dY (TN); backward-weights dWᵀ (PATCH × OC) = col · dYᵀ (NT),
     * transposed so that the operand packed by gathers is dY, not the PATCH-times-larger patch matrix.
     */
    IM2COL,
    /**
     * The kernel covers the whole unpadded input (one output position, like LeNet-5's C5): a dense layer
     * over the flattened image, one GEMM per pass over the whole batch: Y (N × OC) = X · Wᵀ (NT, with the
     * bias), dX = dY · W (NN), dW (OC × PATCH) = dYᵀ · X (TN, the batch as depth).
     */
    DENSE,
    /**
     * Stride 1, padding below the kernel size: register-blocked direct convolution over the zero-padded image
     * read as one flat row per channel, no patch matrix; backward-data is the same kernel on the transposed
     * geometry (rotated, channel-swapped weights), backward-weights a register tile of dW vectors streaming
     * over the output positions. The generator's {@code DirectConvTiling} chooses the register tiles.
     */
    DIRECT,
    /**
     * Any stride, padding below the kernel size: batch-reduce register tiles over a channel-blocked layout (the
     * scheme of oneDNN's brgemm convolutions). Activations are copied into (C/v, H+pad, W+pad, v) blocks, v the
     * lanes of the target, and the weights packed as [input lane][output lanes] per (output block, input block,
     * tap); a tile of positions × output-channel vectors broadcasts one input value and FMAs it with contiguous
     * weight vectors, reduced over every (input block, tap). Backward-data is the same tile on the transposed
     * geometry (for a strided layer, in phases of the outputs that see the same taps of the dilated dY);
     * backward-weights a tile of output channels × taps of input-channel vectors streaming over the batch. The
     * generator's {@code BlockedConvPass} chooses the tiles.
     */
    BLOCKED;

    /** The word of a spec key: {@code im2col}, {@code dense}, {@code direct}, {@code blocked} (AUTO is not written). */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Conv2dAlgorithm fromToken(String token) {
        for (Conv2dAlgorithm a : values()) {
            if (a.token().equals(token)) {
                return a;
            }
        }
        throw new IllegalArgumentException("convolution algorithm '" + token + "': expected auto, im2col, dense, direct or blocked");
    }
}
