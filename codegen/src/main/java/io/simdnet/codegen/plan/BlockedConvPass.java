package io.simdnet.codegen.plan;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.VectorTarget;

/**
 * One stride-1 convolution pass of {@link Conv2dAlgorithm#BLOCKED}: forward on the layer's geometry,
 * backward-data on the transposed one (the same pass reads dY padded by K − 1 − p with rotated,
 * channel-swapped weights).
 *
 * <p>The input is copied into channel blocks of {@link #lanes()} (v) channels, (C/v, H + pad, W + pad, v) with a
 * zero border and zero lanes past the last channel, so an input value of a position at tap (i, j) sits at a
 * fixed offset from that position's own, and the weights are packed per (output block, input block, tap) as
 * [input lane][output lanes]. A register tile is {@link #positions()} output positions × {@link #vectors()}
 * vectors of v output channels: per input channel of a tap it loads {@code vectors} weight vectors and
 * broadcasts {@code positions} input values into {@code positions · vectors} FMAs. The tile's positions run in
 * raster order through the exact (not padded) output, so no work is discarded and the output block of a tile is
 * contiguous; border positions read the zero border, so there are no bounds tests.
 *
 * <p>Measured before it was built (a probe of the 64→64 3×3 layer on 16×16 maps, 256-bit vectors, Zen 2): tiles of
 * 12 accumulators ran at 80 GFLOP/s on one core, 87% of its FMA peak, against 45% for the landed DIRECT kernel; 8
 * accumulators 67, 4 only 45 (one broadcast per FMA is load-bound).
 *
 * @param lanes v: elements per vector of the pass's target, the channels of one block
 * @param positions output positions of one register tile
 * @param vectors output-channel vectors of one register tile
 */
public record BlockedConvPass(int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padBottom,
        int padLeft, int padRight, int lanes, int positions, int vectors) {

    /** Of the target's registers, what the accumulators may take: the rest hold the weight vectors, the broadcast and C2's temporaries. */
    private static final int USABLE_NUMERATOR = 3;
    private static final int USABLE_DENOMINATOR = 4;
    /**
     * Output-channel vectors per tile: two halve the broadcasts per FMA against one, and more would leave too few
     * positions to amortise each weight load within 16 registers.
     */
    private static final int MAX_VECTORS = 2;

    public BlockedConvPass {
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("blocked convolution pass: negative padding " + padTop + "/" + padBottom + "/" + padLeft + "/" + padRight);
        }
        if (positions < 1 || vectors < 1 || lanes < 1) {
            throw new IllegalArgumentException("blocked convolution pass: tile " + positions + " positions × " + vectors + " vectors of " + lanes);
        }
    }

    /** The pass over the given geometry with the register tile the target's registers allow. */
    public static BlockedConvPass of(DType type, VectorTarget target, int inChannels, int height, int width, int outChannels, int kernelH,
            int kernelW, int padTop, int padBottom, int padLeft, int padRight) {
        int lanes = type.lanes(target.bits());
        int vectors = Math.min(MAX_VECTORS, Math.ceilDiv(outChannels, lanes));
        int accumulators = target.registers() * USABLE_NUMERATOR / USABLE_DENOMINATOR;
        int outPositions = (height + padTop + padBottom - kernelH + 1) * (width + padLeft + padRight - kernelW + 1);
        int positions = Math.max(1, Math.min(outPositions, accumulators / vectors));
        return new BlockedConvPass(inChannels, height, width, outChannels, kernelH, kernelW, padTop, padBottom, padLeft, padRight, lanes, positions,
                vectors);
    }

    /** Channel blocks of the input: the last one zero-filled past the last channel. */
    public int inBlocks() {
        return Math.ceilDiv(inChannels, lanes);
    }

    /** Channel blocks of the output. */
    public int outBlocks() {
        return Math.ceilDiv(outChannels, lanes);
    }

    public int paddedHeight() {
        return height + padTop + padBottom;
    }

    public int paddedWidth() {
        return width + padLeft + padRight;
    }

    public int outHeight() {
        return paddedHeight() - kernelH + 1;
    }

    public int outWidth() {
        return paddedWidth() - kernelW + 1;
    }

    /** Output positions of one channel: the tiles run through them in raster order. */
    public int outPositions() {
        return outHeight() * outWidth();
    }

    /** Elements of one image in the blocked padded input layout. */
    public int blockedInputLength() {
        return inBlocks() * paddedHeight() * paddedWidth() * lanes;
    }

    /** Elements of one image in the blocked output layout (OC/v, OH·OW, v). */
    public int blockedOutputLength() {
        return outBlocks() * outPositions() * lanes;
    }

    /** Elements of the packed weights: (OC/v, C/v, KH, KW, v, v). */
    public int packedWeightsLength() {
        return outBlocks() * inBlocks() * kernelH * kernelW * lanes * lanes;
    }
}
