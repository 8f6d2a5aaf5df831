package io.simdnet.codegen.plan;

import io.simdnet.kernel.spec.Conv2dAlgorithm;

/**
 * One stride-1 convolution pass computed directly, as {@link Conv2dAlgorithm#DIRECT} does: forward on the
 * layer's geometry, backward-data on the transposed one. The input is copied into a zero-padded buffer whose
 * channel planes are read as flat rows of {@link #paddedWidth()}: output (oh, ow) at tap (i, j) reads
 * position {@code oh·PW + ow + i·PW + j} of its plane, so consecutive outputs of a row and across rows read
 * consecutive inputs, and a vector of outputs is one unmasked load per tap. The outputs computed are the
 * "wide" rows of PW positions, of which the last {@code PW − OW} per row are discarded: no bounds tests, no
 * masks, no edge code, at the price of (KW − 1 + padding) / PW extra work.
 *
 * <p>The register tile is {@link #outChannelBlock()} output channels × {@link #vectors()} vectors of output
 * positions: {@code block · vectors} accumulators, the {@code vectors} input loads of a tap and one broadcast
 * weight, within the target's registers.
 *
 * @param lanes elements per vector of the pass's target
 */
public record DirectConvPass(int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padBottom,
        int padLeft, int padRight, int lanes, int outChannelBlock, int vectors) {

    public DirectConvPass {
        if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("direct convolution pass: negative padding " + padTop + "/" + padBottom + "/" + padLeft + "/" + padRight);
        }
        if (outChannelBlock < 1 || vectors < 1 || lanes < 1) {
            throw new IllegalArgumentException("direct convolution pass: tile " + outChannelBlock + " × " + vectors + " vectors of " + lanes);
        }
    }

    /** The same pass with another register tile. */
    public DirectConvPass withTile(int block, int tileVectors) {
        return new DirectConvPass(inChannels, height, width, outChannels, kernelH, kernelW, padTop, padBottom, padLeft, padRight, lanes, block,
                tileVectors);
    }

    /** Accumulators + input vectors of one tap + the broadcast weight. */
    public static int registersUsed(int outChannelBlock, int vectors) {
        return outChannelBlock * vectors + vectors + 1;
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

    /** Elements of one padded input channel plane. */
    public int plane() {
        return paddedHeight() * paddedWidth();
    }

    /** Output positions of the wide rows: OH rows of PW. */
    public int widePositions() {
        return outHeight() * paddedWidth();
    }

    /** Output positions of one register tile. */
    public int tile() {
        return vectors * lanes;
    }

    public int tiles() {
        return Math.ceilDiv(widePositions(), tile());
    }

    /** Wide output positions computed per channel: whole tiles. */
    public int wideLength() {
        return tiles() * tile();
    }

    /**
     * Length of the padded input buffer: every plane, and after the last one the elements the last tile's
     * loads reach beyond it (they feed only discarded positions).
     */
    public int paddedInputLength() {
        int reach = wideLength() + (kernelH - 1) * paddedWidth() + kernelW - 1;
        return (inChannels - 1) * plane() + Math.max(plane(), reach);
    }

    /** Multiply-adds issued per image, the discarded positions and the partial last channel block included. */
    public long issuedMultiplyAdds() {
        return (long) outChannels * inChannels * kernelH * kernelW * wideLength();
    }
}
