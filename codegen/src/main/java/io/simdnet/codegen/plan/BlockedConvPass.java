package io.simdnet.codegen.plan;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.VectorTarget;

/**
 * One convolution pass of {@link Conv2dAlgorithm#BLOCKED}: forward on the layer's geometry, backward-data on the
 * transposed one (the same pass reads dY padded by K − 1 − p with rotated, channel-swapped weights; for a layer of
 * stride s, dY dilated by s: s − 1 zeros between its rows and columns, so the pass itself runs at stride 1, in phases
 * that skip the zeros, and the dilation is never stored).
 *
 * <p>The input is copied into channel blocks of {@link #lanes()} (v) channels, (C/v, H + pad, W + pad, v) with a
 * zero border and zero lanes past the last channel, so an input value of a position at tap (i, j) sits at a
 * fixed offset from that position's own, and the weights are packed per (output block, input block, tap) as
 * [input lane][output lanes]. A register tile is {@link #rows()} × {@link #columns()} output positions ×
 * {@link #vectors()} vectors of v output channels: per input channel of a tap it loads {@code vectors} weight
 * vectors and broadcasts one input value per position into {@code positions · vectors} FMAs. Every position of a
 * tile sits at a constant offset from the tile's first, in the input and in the blocked output, so the tile
 * needs one index register; the last rows and columns that do not fill a tile get smaller tiles of their own.
 * Border positions read the zero border, so there are no bounds tests, and no work is discarded. A stride moves a
 * tile's positions {@link #strideH()} rows and {@link #strideW()} columns apart in the input; a dilation places the
 * input's rows and columns that far apart in the blocked plane when it is copied in.
 *
 * <p>Measured before it was built (a probe of the 64→64 3×3 layer on 16×16 maps, 256-bit vectors, Zen 2): tiles of
 * 6 positions × 2 vectors (12 accumulators) ran at 78-81 GFLOP/s on one core, 73-75% of its FMA peak (107.4), in any
 * shape (3×2, 2×3, 1×6, 6×1); the same 6 positions taken in raster order across rows, each with an index of its
 * own, at 71; 4 positions × 2 vectors at 67, 8 × 1 at 55 (a broadcast per FMA is load-bound).
 *
 * @param lanes v: elements per vector of the pass's target, the channels of one block
 * @param rows output rows of one register tile
 * @param columns output columns of one register tile
 * @param vectors output-channel vectors of one register tile
 * @param strideH the pass's vertical stride (the layer's for forward; 1 for backward-data)
 * @param dilateH the rows of the blocked plane between two input rows (the layer's stride for backward-data, else 1)
 */
public record BlockedConvPass(int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padBottom,
        int padLeft, int padRight, int strideH, int strideW, int dilateH, int dilateW, int lanes, int rows, int columns, int vectors) {

    /** Of the target's registers, what the accumulators may take: the rest hold the weight vectors, the broadcast and C2's temporaries. */
    private static final int USABLE_NUMERATOR = 3;
    private static final int USABLE_DENOMINATOR = 4;
    /**
     * Output-channel vectors per tile: two halve the broadcasts per FMA against one, and more would leave too few
     * positions to amortise each weight load within 16 registers.
     */
    private static final int MAX_VECTORS = 2;
    /** FMA pipes per core, and the cycles one FMA waits for the previous one into the same accumulator (Zen 2 to 4, Intel's are 4). */
    private static final int FMA_PIPES = 2;
    private static final int FMA_LATENCY = 5;
    /** Cycles a vector load or broadcast costs beside the FMAs: small, it mostly issues in their shadow; it breaks ties for the larger tile. */
    private static final double LOAD_CYCLES = 0.1;

    public BlockedConvPass {
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("blocked convolution pass: negative padding " + padTop + "/" + padBottom + "/" + padLeft + "/" + padRight);
        }
        if (strideH < 1 || strideW < 1 || dilateH < 1 || dilateW < 1) {
            throw new IllegalArgumentException("blocked convolution pass: stride " + strideH + "×" + strideW + ", dilation " + dilateH + "×" + dilateW);
        }
        if (rows < 1 || columns < 1 || vectors < 1 || lanes < 1) {
            throw new IllegalArgumentException("blocked convolution pass: tile " + rows + "×" + columns + " positions × " + vectors + " vectors of " + lanes);
        }
        int outHeight = outSize(height, dilateH, padTop + padBottom, kernelH, strideH);
        int outWidth = outSize(width, dilateW, padLeft + padRight, kernelW, strideW);
        int outBlocks = Math.ceilDiv(outChannels, lanes);
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("blocked convolution pass: a " + kernelH + "×" + kernelW + " kernel does not fit the padded "
                    + ((height - 1) * dilateH + 1 + padTop + padBottom) + "×" + ((width - 1) * dilateW + 1 + padLeft + padRight) + " input");
        }
        if (rows > outHeight || columns > outWidth || vectors > outBlocks) {
            throw new IllegalArgumentException("blocked convolution pass: tile " + rows + "×" + columns + " positions × " + vectors
                    + " vectors is larger than the " + outHeight + "×" + outWidth + " output of " + outBlocks + " channel blocks");
        }
    }

    /** Output size along one dimension: the input dilated and padded, then windows of {@code kernel} every {@code stride}. */
    private static int outSize(int size, int dilate, int pads, int kernel, int stride) {
        int padded = (size - 1) * dilate + 1 + pads;
        return padded < kernel ? 0 : (padded - kernel) / stride + 1;
    }

    /**
     * The pass over the given geometry with the register tile of least modelled time: the tiles within 3/4 of the
     * target's registers, each costed with the smaller tiles of the rows and columns it leaves over.
     */
    public static BlockedConvPass of(DType type, VectorTarget target, int inChannels, int height, int width, int outChannels, int kernelH,
            int kernelW, int padTop, int padBottom, int padLeft, int padRight, int strideH, int strideW, int dilateH, int dilateW) {
        int lanes = type.lanes(target.bits());
        int vectors = Math.min(MAX_VECTORS, Math.ceilDiv(outChannels, lanes));
        int accumulators = target.registers() * USABLE_NUMERATOR / USABLE_DENOMINATOR;
        // A dilated pass tiles each phase of its outputs (DH rows and DW columns apart): the tile fits the smallest.
        int outHeight = Math.max(1, outSize(height, dilateH, padTop + padBottom, kernelH, strideH) / dilateH);
        int outWidth = Math.max(1, outSize(width, dilateW, padLeft + padRight, kernelW, strideW) / dilateW);
        int bestRows = 1;
        int bestColumns = 1;
        double bestCost = Double.MAX_VALUE;
        for (int r = 1; r <= outHeight; r++) {
            for (int c = 1; c <= outWidth && r * c * vectors <= accumulators; c++) {
                double cost = mapCost(outHeight, outWidth, r, c, vectors);
                if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) <= 1e-9 && r * c > bestRows * bestColumns)) {
                    bestCost = cost;
                    bestRows = r;
                    bestColumns = c;
                }
            }
        }
        return new BlockedConvPass(inChannels, height, width, outChannels, kernelH, kernelW, padTop, padBottom, padLeft, padRight, strideH, strideW,
                dilateH, dilateW, lanes, bestRows, bestColumns, vectors);
    }

    /** Modelled cycles of one input channel's step over the whole map: the full tiles, the edge tiles and the corner. */
    private static double mapCost(int outHeight, int outWidth, int r, int c, int vectors) {
        int fullRows = outHeight / r;
        int fullColumns = outWidth / c;
        int restRows = outHeight % r;
        int restColumns = outWidth % c;
        return fullRows * fullColumns * stepCycles(r * c, vectors)
                + (restColumns > 0 ? fullRows * stepCycles(r * restColumns, vectors) : 0)
                + (restRows > 0 ? fullColumns * stepCycles(restRows * c, vectors) : 0)
                + (restRows > 0 && restColumns > 0 ? stepCycles(restRows * restColumns, vectors) : 0);
    }

    /** One input channel's step of a tile: its FMAs over the pipes, at least one FMA latency, and its loads. */
    private static double stepCycles(int positions, int vectors) {
        return Math.max((double) positions * vectors / FMA_PIPES, FMA_LATENCY) + LOAD_CYCLES * (positions + vectors);
    }

    /** Output positions of one full register tile. */
    public int positions() {
        return rows * columns;
    }

    /** Channel blocks of the input: the last one zero-filled past the last channel. */
    public int inBlocks() {
        return Math.ceilDiv(inChannels, lanes);
    }

    /** Channel blocks of the output. */
    public int outBlocks() {
        return Math.ceilDiv(outChannels, lanes);
    }

    /**
     * Rows of a blocked plane: the input's and the zero border. A dilated input is kept compact, its rows next to each
     * other (the phases of the pass find a tap's input row by dividing by the dilation), with the border the windows
     * reach: {@link #compactPadTop()} rows above, {@link #compactPadBottom()} below.
     */
    public int paddedHeight() {
        return height + compactPadTop() + compactPadBottom();
    }

    public int paddedWidth() {
        return width + compactPadLeft() + compactPadRight();
    }

    /** Zero rows above the input in a blocked plane: the padding, or for a dilated input the whole input rows of it. */
    public int compactPadTop() {
        return padTop / dilateH;
    }

    public int compactPadLeft() {
        return padLeft / dilateW;
    }

    /** Zero rows below the input: the padding, or for a dilated input the input rows below it that a window reaches. */
    public int compactPadBottom() {
        return dilateH == 1 ? padBottom : Math.max(0, (outHeight() - 1 + kernelH - 1 - padTop) / dilateH - (height - 1));
    }

    public int compactPadRight() {
        return dilateW == 1 ? padRight : Math.max(0, (outWidth() - 1 + kernelW - 1 - padLeft) / dilateW - (width - 1));
    }

    public int outHeight() {
        return outSize(height, dilateH, padTop + padBottom, kernelH, strideH);
    }

    public int outWidth() {
        return outSize(width, dilateW, padLeft + padRight, kernelW, strideW);
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
